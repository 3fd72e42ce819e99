"""The results: machine info, the JSON document and the Markdown table for README.md."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

import grpc

from bench.usage import machine_ms_per_call

STORE_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
TARGETS = {"accepted_to_echo": 0.6, "end_to_end_to_echo": 0.3, "paced_p99_ms": 10.0}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "grpcio": grpc.__version__,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _pair(summary: dict[str, float | None]) -> str:
    return f"{_number(summary['p50_ms'], 1)} / {_number(summary['p99_ms'], 1)}"


def _row(run: dict[str, Any]) -> str:
    title = STORE_TITLES.get(run["store"], run["store"])
    if "error" in run or "skipped" in run:
        why = "failed, see JSON" if "error" in run else f"skipped: {run['skipped']}"
        return f"| {title} | {why} |" + " |" * 8
    cells = [
        title,
        _number(run["echo"]["calls_per_s"]),
        _number(run["send_max_rate"]["calls_per_s"]),
        _number(run["ratios"]["accepted_to_echo"], 2),
        _number(run["end_to_end"]["messages_per_s"]),
        _number(run["ratios"]["end_to_end_to_echo"], 2),
        _pair(run["send_paced"]["latency"]),
        _pair(run["end_to_end"]["delivery_latency"]),
        f"{_number(run['gateway_cpu_ms_per_message']['send_max_rate'], 2)} / {_number(run['echo_cpu_ms_per_call'], 2)}",
        _number(run["gateway_peak_pss_mib"]),
    ]
    return "| " + " | ".join(cells) + " |"


def markdown_table(document: dict[str, Any]) -> str:
    machine, options = document["machine"], document["options"]
    header = (
        "| store | echo calls/s | accepted/s | accepted / echo | end-to-end msg/s | end-to-end / echo "
        "| send p50 / p99 at 50% rate (ms) | send→DELIVERED p50 / p99 (ms) | CPU ms per message, gateway / echo "
        "| gateway peak PSS (MiB) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = "\n".join(_row(run) for run in document["stores"].values())
    caption = (
        f"{machine['nproc']} × {machine['cpu_model']}, Python {machine['python']}, grpcio {machine['grpcio']}, "
        f"{options['concurrency']} calls in flight over {options['channels']} channels, at most {options['count']} calls "
        f"or {options['duration_s']:g} s per phase, sandbox DELIVERED after 10 ms; `make bench`, {machine['date'][:10]}. "
        "CPU per message: the CPU time of the gateway's processes from the start of the max-rate phase until it is idle again "
        "(dispatch, reports and events included), over the messages sent; the echo server's over its calls."
    )
    return f"{header}\n{rows}\n\n{caption}\n\n{smpp_table(document)}"


def comparison_table(runs: list[dict[str, Any]]) -> str:
    """`--against`: one row per run, in the order they ran."""
    header = ("| pair | code | echo calls/s | accepted/s | end-to-end msg/s | send p50 / p99 at 50% rate (ms) "
              "| CPU ms per message at max rate / 50% rate / end to end | echo CPU ms per call |\n"
              "|---:|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    for run in runs:
        if "error" in run or "skipped" in run:
            rows.append(f"| {run['pair']} | {run['code']} | failed or skipped, see JSON |" + " |" * 5)
            continue
        cpu = run["gateway_cpu_ms_per_message"]
        rows.append(
            f"| {run['pair']} | {run['code']} | {_number(run['echo']['calls_per_s'])} | {_number(run['send_max_rate']['calls_per_s'])} "
            f"| {_number(run['end_to_end']['messages_per_s'])} | {_pair(run['send_paced']['latency'])} "
            f"| {_number(cpu['send_max_rate'], 2)} / {_number(cpu['send_paced'], 2)} / {_number(cpu['end_to_end'], 2)} "
            f"| {_number(run['echo_cpu_ms_per_call'], 2)} |"
        )
    return header + "\n" + "\n".join(rows)


def smpp_table(document: dict[str, Any]) -> str:
    """The smpp phase: SendMessage -> SMPP -> SMSC simulator -> receipt -> DELIVERED event."""
    rows = []
    for run in document["stores"].values():
        if "smpp_end_to_end" not in run:
            continue
        e2e = run["smpp_end_to_end"]
        rows.append(f"| {STORE_TITLES.get(run['store'], run['store'])} | {_number(e2e['messages_per_s'])} | "
                    f"{_pair(e2e['delivery_latency'])} | {e2e['delivered']} | {e2e['missing']} |")
    header = ("| store | SMPP end-to-end msg/s | send→DELIVERED p50 / p99 (ms) | delivered | missing |\n"
              "|---|---:|---:|---:|---:|")
    return header + "\n" + "\n".join(rows) + "\n\nSMPP: transceiver bind (window 64) to the SMSC simulator on 127.0.0.1, DELIVRD receipt 10 ms after submit_sm_resp."


def target_checks(document: dict[str, Any]) -> list[str]:
    """Two lines per store: each figure against its target, met or missed; where the CPU went."""
    lines = []
    for run in document["stores"].values():
        if "ratios" not in run:
            continue
        figures = [
            ("accepted/echo", run["ratios"]["accepted_to_echo"], ">=", TARGETS["accepted_to_echo"]),
            ("end-to-end/echo", run["ratios"]["end_to_end_to_echo"], ">=", TARGETS["end_to_end_to_echo"]),
            ("p99 at 50% rate (ms)", run["send_paced"]["latency"]["p99_ms"], "<", TARGETS["paced_p99_ms"]),
        ]
        checks = [f"{name} {_number(value, 2)} {op} {target:g}: {_verdict(value, op, target)}" for name, value, op, target in figures]
        title = STORE_TITLES.get(run["store"], run["store"])
        lines.append(f"{title}: " + "; ".join(checks) + f" (echo p50 / p99 at half its max rate: {_pair(run['echo_paced']['latency'])} ms)")
        lines.append(f"{title}: {cpu_line(run)}")
    return lines


def cpu_line(run: dict[str, Any]) -> str:
    """Where the CPU went at max rate: client and server per call, echo against gateway."""
    echo, sends = run["echo"], run["send_max_rate"]
    return (
        f"CPU ms per call at max rate, load generator + server: echo {_number(echo['client_cpu_ms_per_call'], 2)} + "
        f"{_number(run['echo_cpu_ms_per_call'], 2)}, gateway {_number(sends['client_cpu_ms_per_call'], 2)} + "
        f"{_number(run['gateway_cpu_ms_per_message']['send_max_rate'], 2)}; machine busy {_number(echo['machine_busy_cores'], 2)} / "
        f"{_number(sends['machine_busy_cores'], 2)} cores; accepted/echo this CPU allows a saturated machine: "
        f"{_number(run['ratios'].get('cpu_bound_accepted_to_echo'), 2)}; the machine's CPU ms per call, every process "
        f"(the database server's too): echo {_number(machine_ms_per_call(echo), 2)}, gateway {_number(machine_ms_per_call(sends), 2)}, "
        f"which allow {_number(run['ratios'].get('machine_bound_accepted_to_echo'), 2)}"
    )


def _verdict(value: float | None, op: str, target: float) -> str:
    if value is None:
        return "n/a"
    met = value >= target if op == ">=" else value < target
    return "met" if met else "MISSED"


def _streams_row(run: dict[str, Any], count: str) -> str:
    phases, bare = run["fan_out"][count], run["bare_fan_out"][count]
    top, paced = phases["max_rate"], phases["paced"]
    cells = [
        count,
        _number(bare["delivered_per_s"]),
        _number(top["delivered_per_s"]),
        _number(run["ratios"][count], 2),
        _number(top["per_subscriber_per_s"]),
        _pair(top["latency"]),
        _number(paced["generator"]["target_rate"], 1),
        _pair(paced["latency"]),
        _number(top["missing"] + paced["missing"]),
        _number(top["server_cpu_percent"]),
    ]
    return "| " + " | ".join(cells) + " |"


def streams_table(document: dict[str, Any]) -> str:
    """The fan-out figures: one row per subscriber count, then memory per idle subscriber."""
    run, machine, options = document["streams"], document["machine"], document["options"]
    if "error" in run:
        return "streams: failed, see JSON"
    header = (
        "| subscribers | bare gRPC fan-out events/s | gateway delivered events/s | gateway / bare | per subscriber /s "
        "| commit→arrival p50 / p99 at max rate (ms) | paced at events/s | commit→arrival p50 / p99 paced (ms) | missing "
        "| gateway CPU % at max rate |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = "\n".join(_streams_row(run, count) for count in run["fan_out"])
    memory = run["idle_memory"]
    memory_line = (
        f"Memory per idle subscriber: {_number(memory['per_subscriber_kib'], 1)} KiB "
        f"({memory['subscribers']} idle streams; gateway VmRSS {_number(memory['rss_before_kib'] / 1024, 1)} → "
        f"{_number(memory['rss_with_streams_kib'] / 1024, 1)} MiB)."
    )
    caption = (
        f"{machine['nproc']} × {machine['cpu_model']}, Python {machine['python']}, grpcio {machine['grpcio']}, SQLite; "
        f"events from InjectInboundMessage ({options['concurrency']} in flight at max rate; paced at half the max per-subscriber rate), "
        f"StreamInboundMessages subscribers in {options['streams']['subscribers_per_process']}-subscriber processes; "
        f"`make bench`, {machine['date'][:10]}."
    )
    return f"{header}\n{rows}\n\n{memory_line}\n\n{caption}"
