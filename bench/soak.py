"""Soak (`python -m bench --only soak`): a steady paced SendMessage load against one SQLite
gateway for N seconds, every message dispatched and reported DELIVERED and READ by the
sandbox, while the RSS (VmRSS) of the gateway's processes (its SQLite writer process with it) is
sampled every few seconds.

Memory is flat when the second half of the run adds nothing: the figure to read is the slope
over the second half (the first half includes warm-up, caches filling up to their bounds and
the allocator settling)."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from bench import gateway_client, servers
from bench.child import run_in_child
from bench.loadgen import LoadResult, LoadSpec
from bench.scenario import CHILD_MARGIN_S, Options, describe, progress, short_warmup
from bench.workload import send_target


@dataclass(frozen=True)
class SoakOptions:
    load: Options
    seconds: float
    rate: float
    sample_seconds: float = 5.0


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MiB) samples, in MiB per minute."""
    if len(samples) < 2:
        return None
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if var == 0:
        return None
    return round(60 * sum((t - mean_t) * (m - mean_m) for t, m in samples) / var, 3)


def measure_soak(database_url: str, options: SoakOptions) -> dict[str, Any]:
    api_key = servers.create_account_key(database_url)
    load = options.load
    spec_count = int(options.rate * options.seconds) + short_warmup(load)
    with servers.gateway(database_url, load.log_dir / "gateway-soak.log") as gateway:
        gateway_client.create_sms_identity(gateway.address, api_key)
        spec = LoadSpec(send_target(gateway.address, api_key), load.concurrency, spec_count, options.seconds, load.channels,
                        short_warmup(load), paced_rate=options.rate)
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["result"] = run_in_child(spec, 2 * options.seconds + CHILD_MARGIN_S)
            except Exception as exc:  # noqa: BLE001 - raised below, in the harness's thread
                outcome["error"] = exc

        loader = threading.Thread(target=run, name="soak-load")
        started = time.monotonic()
        loader.start()
        samples: list[tuple[float, float]] = []
        while loader.is_alive():
            rss = gateway.rss_kib()
            if rss is not None:
                samples.append((round(time.monotonic() - started, 1), round(rss / 1024, 1)))
            loader.join(options.sample_seconds)
        if "error" in outcome:
            raise outcome["error"]
        result: LoadResult = outcome["result"]
    progress(f"soak: {describe(result)}")
    second_half = [s for s in samples if s[0] >= samples[-1][0] / 2]
    mb = [m for _, m in samples]
    summary = {
        "seconds": options.seconds, "rate": options.rate, "load": asdict(result),
        "rss_start_mb": mb[0], "rss_peak_mb": max(mb), "rss_end_mb": mb[-1],
        "slope_mb_per_min": slope_mb_per_min(samples), "second_half_slope_mb_per_min": slope_mb_per_min(second_half),
        "samples": samples,
    }
    progress(f"soak: RSS start {mb[0]} MiB, peak {max(mb)} MiB, end {mb[-1]} MiB; slope {summary['slope_mb_per_min']} MiB/min, "
             f"second half {summary['second_half_slope_mb_per_min']} MiB/min")
    return summary


def markdown_table(soak: dict[str, Any]) -> str:
    if "error" in soak:
        return "soak: FAILED (see the JSON)"
    load = soak["load"]
    return "\n".join([
        "| soak | sends/s | p99 (ms) | RSS start / peak / end (MiB) | slope, all / second half (MiB/min) |",
        "|---|---:|---:|---:|---:|",
        f"| SQLite, {soak['seconds']:.0f} s at {soak['rate']:.0f}/s | {load['calls_per_s']:.0f} | {load['latency']['p99_ms']} | "
        f"{soak['rss_start_mb']} / {soak['rss_peak_mb']} / {soak['rss_end_mb']} | "
        f"{soak['slope_mb_per_min']} / {soak['second_half_slope_mb_per_min']} |",
    ])
