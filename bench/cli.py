"""Options, the run over the stores, and the output (JSON file, Markdown table on stdout)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import postgres, replicas, report, soak
from bench.scenario import Options, measure_store, progress
from bench.servers import REPO_ROOT
from bench.streams import StreamOptions, measure_streams

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_OUT = REPO_ROOT / "bench" / "results" / "latest.json"
STORES = ("sqlite", "postgres")
SCENARIOS = (*STORES, "streams", "replicas", "soak")


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _positive_ints(text: str) -> tuple[int, ...]:
    return tuple(_positive_int(part) for part in text.split(","))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmark omnirelay against a bare gRPC echo server (see bench/__init__.py).")
    parser.add_argument("--concurrency", type=_positive_int, default=64, help="calls in flight (default 64)")
    parser.add_argument("--count", type=_positive_int, default=5000, help="calls per phase at most (default 5000)")
    parser.add_argument("--duration", type=_positive_float, default=20.0, help="seconds per phase at most (default 20)")
    parser.add_argument("--channels", type=_positive_int, default=4, help="gRPC channels (TCP connections) the load is spread over (default 4)")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("OMNIRELAY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a PostgreSQL server where a database may be created and dropped; empty skips PostgreSQL "
             f"(default $OMNIRELAY_BENCH_POSTGRES_URL or {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument("--only", choices=SCENARIOS,
                        help="run one scenario only: a store's SendMessage figures, the streams fan-out, the replicas scenario, "
                             "or the memory soak (which runs only when asked for)")
    streams = parser.add_argument_group("streams scenario (fan-out to stream subscribers, SQLite)")
    streams.add_argument("--subscribers", type=_positive_ints, default=(1, 100, 1000), help="subscriber counts, comma-separated (default 1,100,1000)")
    streams.add_argument("--stream-events", type=_positive_int, default=1000, help="events per phase at most (default 1000)")
    streams.add_argument("--stream-deliveries", type=_positive_int, default=100_000,
                         help="events x subscribers per phase at most: fewer events for many subscribers (default 100000)")
    streams.add_argument("--stream-duration", type=_positive_float, default=10.0, help="seconds of event generation per phase at most (default 10)")
    streams.add_argument("--idle-subscribers", type=_positive_int, default=1000, help="idle streams open for the memory figure (default 1000)")
    streams.add_argument("--subscribers-per-process", type=_positive_int, default=500, help="subscribers per load-generator process (default 500)")
    soaking = parser.add_argument_group("soak scenario (--only soak: steady paced sends, gateway RSS sampled, SQLite)")
    soaking.add_argument("--soak-seconds", type=_positive_float, default=600.0, help="seconds of load (default 600)")
    soaking.add_argument("--soak-rate", type=_positive_float, default=200.0, help="SendMessage calls/s (default 200)")
    comparing = parser.add_argument_group("comparing two versions (with --only sqlite or --only postgres)")
    comparing.add_argument("--against", type=Path,
                           help="another checkout of omnirelay, e.g. one made with `git worktree add /tmp/before HEAD~1`: "
                                "its gateway and this tree's are measured in turn, --pairs times, in one period (it runs on "
                                "this tree's virtual environment and generated protobuf code)")
    comparing.add_argument("--pairs", type=_positive_int, default=2,
                           help="runs of each version with --against, alternating (this, other, other, this, ...; default 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results file (default {DEFAULT_OUT.relative_to(REPO_ROOT)})")
    args = parser.parse_args(argv)
    if args.against is not None:
        if args.only not in STORES:
            parser.error("--against needs --only sqlite or --only postgres")
        if not (args.against / "src" / "omnirelay").is_dir():
            parser.error(f"--against {args.against}: no src/omnirelay there; give a checkout of this repository")
    return args


def run_sqlite(options: Options) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="omnirelay-bench-") as directory:
        return measure_store("sqlite", f"sqlite:///{directory}/omnirelay.db", options)


def run_postgres(options: Options, server_url: str) -> dict[str, Any]:
    reason = postgres.unreachable_reason(server_url)
    if reason is not None:
        progress(f"postgres: skipped ({reason})")
        return {"store": "postgres", "skipped": reason}
    with postgres.fresh_database(server_url) as database_url:
        return measure_store("postgres", database_url, options)


def run_streams(options: StreamOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="omnirelay-bench-") as directory:
        return measure_streams(f"sqlite:///{directory}/omnirelay.db", options)


def run_soak(options: soak.SoakOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="omnirelay-bench-") as directory:
        return soak.measure_soak(f"sqlite:///{directory}/omnirelay.db", options)


def run_store(store: str, options: Options, postgres_url: str) -> dict[str, Any]:
    return run_sqlite(options) if store == "sqlite" else run_postgres(options, postgres_url)


def run_comparison(store: str, options: Options, postgres_url: str, against: Path, pairs: int) -> list[dict[str, Any]]:
    """This tree's gateway and `against`'s measured in turn, ABBA order so that a drift of the
    machine's load over the period weighs on both alike."""
    runs = []
    for pair in range(pairs):
        order = (("this", None), ("against", against)) if pair % 2 == 0 else (("against", against), ("this", None))
        for code, source in order:
            progress(f"comparison: pair {pair + 1} of {pairs}, {code} ({source or 'this tree'})")
            run = run_guarded(store, lambda source=source: run_store(store, replace(options, gateway_source=source), postgres_url))
            runs.append({"code": code, "pair": pair + 1, **run})
    return runs


def run_guarded(store: str, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A failing scenario is recorded and reported; the others still run."""
    try:
        return measure()
    except Exception:  # noqa: BLE001 - recorded in the JSON, reflected in the exit code
        progress(f"{store}: FAILED\n{traceback.format_exc()}")
        return {"store": store, "error": traceback.format_exc()}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out.resolve()
    options = Options(args.concurrency, args.count, args.duration, args.channels, log_dir=out.parent)
    started = time.monotonic()
    document: dict[str, Any] = {
        "machine": report.machine_info(),
        "options": {"concurrency": args.concurrency, "count": args.count, "duration_s": args.duration, "channels": args.channels,
                    "only": args.only, "postgres": bool(args.postgres_url),
                    "streams": {"subscribers": list(args.subscribers), "events": args.stream_events, "deliveries": args.stream_deliveries,
                                "duration_s": args.stream_duration, "idle_subscribers": args.idle_subscribers,
                                "subscribers_per_process": args.subscribers_per_process}},
        "targets": report.TARGETS,
        "stores": {},
    }
    stream_load = Options(args.concurrency, args.stream_events, args.stream_duration, args.channels, log_dir=out.parent)
    stream_options = StreamOptions(stream_load, args.subscribers, args.stream_deliveries, args.idle_subscribers, args.subscribers_per_process)
    if args.against is not None:
        document["options"]["against"] = str(args.against.resolve())
        document["comparison"] = run_comparison(args.only, options, args.postgres_url, args.against.resolve(), args.pairs)
    else:
        for store in STORES:
            if args.only in (None, store):
                document["stores"][store] = run_guarded(store, lambda store=store: run_store(store, options, args.postgres_url))
    if args.only in (None, "streams"):
        document["streams"] = run_guarded("streams", lambda: run_streams(stream_options))
    if args.only in (None, "replicas"):
        document["replicas"] = run_guarded("replicas", lambda: replicas.measure_replicas(args.postgres_url, options))
    if args.only == "soak":
        document["soak"] = run_guarded("soak", lambda: run_soak(soak.SoakOptions(options, args.soak_seconds, args.soak_rate)))
    document["wall_time_s"] = round(time.monotonic() - started, 1)
    report.write_json(out, document)
    if document["stores"]:
        print(report.markdown_table(document))
        print()
    if "comparison" in document:
        print(report.comparison_table(document["comparison"]))
        print()
    if "streams" in document:
        print(report.streams_table(document))
        print()
    if "replicas" in document:
        print(replicas.markdown_table(document["replicas"]))
        print()
    if "soak" in document:
        print(soak.markdown_table(document["soak"]))
        print()
    for line in report.target_checks(document):
        print(f"- {line}")
    sys.stdout.flush()
    progress(f"results in {out}, {document['wall_time_s']} s in all")
    runs = [*document["stores"].values(), *document.get("comparison", []), document.get("streams", {}), document.get("replicas", {}), document.get("soak", {})]
    failed = any("error" in run for run in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
