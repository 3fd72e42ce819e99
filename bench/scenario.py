"""One store's measurements: the echo baseline, then the gateway's four figures.

Order, per store: echo at max rate and at half that rate (its own server, stopped before the
gateway starts), then one gateway process for SendMessage at max rate, SendMessage open loop at
half that rate, and the end-to-end phase, waiting for the gateway to go idle after each; peak
memory (PSS) last."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import gateway_client, servers
from bench.child import run_in_child
from bench.loadgen import EndToEndResult, EndToEndSpec, LoadResult, LoadSpec
from bench.stats import ratio
from bench.usage import machine_ms_per_call, per_call_ms
from bench.workload import SMPP_IDENTITY_ID, Target, echo_target, send_target

PACED_FRACTION = 0.5
MIN_DELIVERY_TIMEOUT_S = 30.0
IDLE_TIMEOUT_S = 120.0
CHILD_MARGIN_S = 60.0


@dataclass(frozen=True)
class Options:
    concurrency: int
    count: int
    duration_s: float
    channels: int
    log_dir: Path
    # Another checkout whose gateway to measure instead of this tree's (`--against`).
    gateway_source: Path | None = None

    @property
    def delivery_timeout_s(self) -> float:
        return max(self.duration_s, MIN_DELIVERY_TIMEOUT_S)

    @property
    def child_timeout_s(self) -> float:
        """Warm-up and measurement are each bounded by duration_s; then the delivery wait."""
        return 2 * self.duration_s + self.delivery_timeout_s + CHILD_MARGIN_S


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def max_rate_warmup(options: Options) -> int:
    """Enough calls to open connections and fill the server's caches before measuring."""
    return min(options.count, max(options.concurrency, options.count // 20))


def short_warmup(options: Options) -> int:
    """A fresh client process against an already warm server: a few calls per channel."""
    return 4 * options.channels


def load_spec(target: Target, options: Options, warmup: int, paced_rate: float | None = None) -> LoadSpec:
    return LoadSpec(target, options.concurrency, options.count, options.duration_s, options.channels, warmup, paced_rate)


def run_load(spec: LoadSpec, options: Options) -> LoadResult:
    result = run_in_child(spec, options.child_timeout_s)
    assert isinstance(result, LoadResult)
    return result


def run_end_to_end(spec: EndToEndSpec, options: Options) -> EndToEndResult:
    result = run_in_child(spec, options.child_timeout_s)
    assert isinstance(result, EndToEndResult)
    return result


def describe(result: LoadResult) -> str:
    errors = f", {result.errors} errors" if result.errors else ""
    return f"{result.calls} calls in {result.elapsed_s:.1f} s = {result.calls_per_s:.0f}/s, p50 {result.latency['p50_ms']} ms, p99 {result.latency['p99_ms']} ms{errors}"


def cpu_ms_per_call(server: servers.ServerProcess, cpu_before: float | None, spec: LoadSpec, result: LoadResult) -> float | None:
    """The server's CPU time since `cpu_before` over the calls it served, warm-up included:
    what a call costs, where calls/s also says how much of the machine the server got."""
    cpu_after = server.cpu_seconds()
    if cpu_before is None or cpu_after is None:
        return None
    return per_call_ms(cpu_after - cpu_before, result.calls + result.errors + spec.warmup)


def measure_echo(store: str, options: Options) -> dict[str, Any]:
    with servers.echo_server(options.log_dir / f"echo-{store}.log") as echo:
        target = echo_target(echo.address)
        spec = load_spec(target, options, max_rate_warmup(options))
        cpu_before = echo.cpu_seconds()
        result = run_load(spec, options)
        cpu_ms = cpu_ms_per_call(echo, cpu_before, spec, result)
        # The gRPC stack's own latency at half its max rate: what the gateway's p99 target
        # leaves for the gateway on this machine.
        paced = run_load(load_spec(target, options, short_warmup(options), max(1.0, result.calls_per_s * PACED_FRACTION)), options)
        peak_pss = echo.peak_pss_mib()
    progress(f"{store}: echo max rate: {describe(result)}, {cpu_ms} ms CPU per call; at half that rate: {describe(paced)}")
    return {"echo": asdict(result), "echo_paced": asdict(paced), "echo_cpu_ms_per_call": cpu_ms, "echo_peak_pss_mib": peak_pss}


def wait_idle(address: str, api_key: str, store: str, after: str) -> dict[str, Any]:
    idle = gateway_client.wait_until_idle(address, api_key, IDLE_TIMEOUT_S)
    state = "idle" if idle["idle"] else "STILL BUSY"
    progress(f"{store}: {state} {idle['seconds']} s after {after}")
    return idle


def measure_gateway(store: str, database_url: str, options: Options) -> dict[str, Any]:
    api_key = servers.create_account_key(database_url, options.gateway_source)
    log_path = options.log_dir / f"gateway-{store}.log"
    idle: dict[str, Any] = {}
    # Gateway CPU per message of each phase until it is idle again: the message's whole way
    # (dispatch, reports, events), also where the phase ended before dispatch caught up.
    cpu_ms: dict[str, float | None] = {}
    with servers.gateway(database_url, log_path, source=options.gateway_source) as gateway:
        gateway_client.create_sms_identity(gateway.address, api_key)
        send = send_target(gateway.address, api_key)

        spec = load_spec(send, options, max_rate_warmup(options))
        cpu_before = gateway.cpu_seconds()
        accepted = run_load(spec, options)
        progress(f"{store}: SendMessage max rate: {describe(accepted)}")
        idle["after_max_rate"] = wait_idle(gateway.address, api_key, store, "max rate")
        cpu_ms["send_max_rate"] = cpu_ms_per_call(gateway, cpu_before, spec, accepted)

        paced_rate = max(1.0, accepted.calls_per_s * PACED_FRACTION)
        spec = load_spec(send, options, short_warmup(options), paced_rate)
        cpu_before = gateway.cpu_seconds()
        paced = run_load(spec, options)
        progress(f"{store}: SendMessage open loop at {paced_rate:.0f}/s: {describe(paced)}")
        idle["after_paced"] = wait_idle(gateway.address, api_key, store, "open loop")
        cpu_ms["send_paced"] = cpu_ms_per_call(gateway, cpu_before, spec, paced)

        spec = load_spec(send, options, short_warmup(options))
        cpu_before = gateway.cpu_seconds()
        e2e = run_end_to_end(EndToEndSpec(spec, options.delivery_timeout_s), options)
        progress(f"{store}: end to end: {e2e.delivered} DELIVERED in {e2e.elapsed_s:.1f} s = {e2e.messages_per_s:.0f}/s, "
                 f"p50 {e2e.delivery_latency['p50_ms']} ms, p99 {e2e.delivery_latency['p99_ms']} ms, missing {e2e.missing}")
        idle["after_end_to_end"] = wait_idle(gateway.address, api_key, store, "end to end")
        cpu_ms["end_to_end"] = cpu_ms_per_call(gateway, cpu_before, spec, e2e.sends)
        progress(f"{store}: gateway ms CPU per message: {cpu_ms}")

        smpp = measure_smpp(store, gateway.address, api_key, options)
        peak_pss = gateway.peak_pss_mib()
    return {
        "database": database_url.split(":", 1)[0],
        "send_max_rate": asdict(accepted),
        "send_paced": asdict(paced),
        "end_to_end": asdict(e2e),
        "smpp_end_to_end": asdict(smpp),
        "gateway_cpu_ms_per_message": cpu_ms,
        "gateway_peak_pss_mib": peak_pss,
        "idle_waits": idle,
        "gateway_stop": {"exit_code": gateway.exit_code, "seconds": gateway.stop_seconds},
        "gateway_log": {"path": str(log_path), "lines": count_lines(log_path)},
    }


def measure_smpp(store: str, address: str, api_key: str, options: Options) -> EndToEndResult:
    """End to end through SMPP: the same sends from an smpp identity bound to the SMSC simulator
    (its own process), which answers submit_sm at once and sends the DELIVRD receipt 10 ms later.
    Run last: its messages end at DELIVERED, never READ, which the idle waits look for."""
    with servers.smsc_simulator(options.log_dir / f"smsc-{store}.log") as smsc:
        gateway_client.create_smpp_identity(address, api_key, smsc.address)
        spec = EndToEndSpec(load_spec(send_target(address, api_key, SMPP_IDENTITY_ID), options, short_warmup(options)), options.delivery_timeout_s)
        result = run_end_to_end(spec, options)
    progress(f"{store}: smpp end to end: {result.delivered} DELIVERED in {result.elapsed_s:.1f} s = {result.messages_per_s:.0f}/s, "
             f"p50 {result.delivery_latency['p50_ms']} ms, p99 {result.delivery_latency['p99_ms']} ms, missing {result.missing}")
    return result


def count_lines(path: Path) -> int:
    try:
        with path.open() as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def ratios(run: dict[str, Any]) -> dict[str, float | None]:
    echo_rate = run["echo"]["calls_per_s"]
    return {
        "accepted_to_echo": ratio(run["send_max_rate"]["calls_per_s"], echo_rate),
        "end_to_end_to_echo": ratio(run["end_to_end"]["messages_per_s"], echo_rate),
        # CPU per echo call over CPU per message at max rate: how close a message's whole way
        # through the gateway comes to the cost of one bare gRPC call.
        "echo_cpu_to_gateway_cpu": ratio(run["echo_cpu_ms_per_call"], run["gateway_cpu_ms_per_message"]["send_max_rate"]),
        # The same with the load generator's CPU added on both sides: on a saturated machine
        # calls/s are in inverse ratio to what a call costs all processes, so this is the
        # accepted/echo that the CPU per message allows on it.
        "cpu_bound_accepted_to_echo": ratio(
            _sum(run["echo"]["client_cpu_ms_per_call"], run["echo_cpu_ms_per_call"]),
            _sum(run["send_max_rate"]["client_cpu_ms_per_call"], run["gateway_cpu_ms_per_message"]["send_max_rate"]),
        ),
        # The same from the whole machine's busy CPU per call: it also counts what works for the
        # gateway beside it (PostgreSQL's server) and the kernel's share.
        "machine_bound_accepted_to_echo": ratio(machine_ms_per_call(run["echo"]), machine_ms_per_call(run["send_max_rate"])),
    }


def _sum(*figures: float | None) -> float | None:
    return None if None in figures else sum(figures)  # type: ignore[arg-type]


def measure_store(store: str, database_url: str, options: Options) -> dict[str, Any]:
    run = {"store": store, **measure_echo(store, options), **measure_gateway(store, database_url, options)}
    run["ratios"] = ratios(run)
    return run
