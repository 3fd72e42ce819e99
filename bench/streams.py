"""The streams scenario: fan-out of one gateway process to many stream subscribers.

First the baseline: the echo server's bare fan-out (bench.echo_server: Publish hands one
serialized event to every Subscribe stream) at max rate for each subscriber count, the most
gRPC alone delivers on this machine at that moment. Then on one gateway (SQLite), after a
small warm-up:
* memory per idle subscriber: the gateway's VmRSS with N idle StreamInboundMessages calls open
  minus its VmRSS with none, over N;
* for each subscriber count (1, 100, 1,000 by default), two phases with fresh subscribers:
  - max rate: a closed loop of InjectInboundMessage calls (one inbound event each) as fast as
    the gateway takes them; events/s delivered = distinct (subscriber, event) arrivals over the
    time from the first event's event_time to the last arrival;
  - paced: an open loop at half the per-subscriber rate the max-rate phase reached, for the
    commit-to-arrival latency (event_time, stamped by the gateway as the event is written,
    to arrival on the subscriber's wall clock; same machine, same clock) away from saturation.
  The figure that travels between machines is the ratio of delivered events/s, gateway to
  bare fan-out, at the same subscriber count.
  Every subscriber must receive every event the generator committed: anything short is
  reported as missing (there should be none: slow subscribers fall back to the log).

Subscribers live in spawned processes (bench.subscribers, `--subscribers-per-process` each);
the event generator is the load generator of the other scenarios, in its own process.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from array import array
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bench import gateway_client, servers, subscribers
from bench.child import ChildFailure, stop_process
from bench.scenario import PACED_FRACTION, Options, load_spec, progress, run_load
from bench.stats import latency_summary_ms, rate, ratio
from bench.subscribers import Expect, SubscriberReport, SubscriberSpec
from bench.workload import STREAM_INBOUND_METHOD, SUBSCRIBE_METHOD, Target, inject_target, publish_target

WARMUP_SUBSCRIBERS = 4
WARMUP_EVENTS = 200
LIVE_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 60.0
REPORT_TIMEOUT_S = 60.0
# Lets the gateway's allocator and gRPC buffers settle before VmRSS is read.
SETTLE_S = 1.0


@dataclass(frozen=True)
class StreamOptions:
    # The event generator: calls in flight, channels, events per phase at most (`count`),
    # seconds per phase at most.
    load: Options
    subscriber_counts: tuple[int, ...]
    # Events x subscribers per phase at most (bounds the run).
    deliveries: int
    idle_subscribers: int
    per_process: int

    def events_for(self, subscribers: int) -> int:
        return max(1, min(self.load.count, self.deliveries // subscribers))


@dataclass
class FanOutResult:
    subscribers: int
    mode: str
    # Events the generator committed (its successful calls); each subscriber should get all.
    events: int
    deliveries: int
    missing: int
    duplicates: int
    incomplete_subscribers: int
    # First event_time to last arrival.
    elapsed_s: float
    delivered_per_s: float
    per_subscriber_per_s: float
    latency: dict[str, float | None]
    generator: dict[str, Any]
    # Server CPU from the subscribers being live to the last arrival, % of one core.
    server_cpu_percent: float | None
    subscriber_errors: list[str]


@dataclass(frozen=True)
class FanOutServer:
    """A server to fan out from: its process, the unary call that makes one event, and the
    server-streaming method subscribers call."""

    process: servers.ServerProcess
    publish: Target
    subscribe_method: str


class SubscriberGroup:
    """`count` subscribers over ceil(count / per_process) spawned processes."""

    def __init__(self, server: FanOutServer, count: int, per_process: int, channels: int) -> None:
        processes = math.ceil(count / per_process)
        shares = [count // processes + (1 if index < count % processes else 0) for index in range(processes)]
        self._specs = [SubscriberSpec(server.publish.address, server.subscribe_method, server.publish.metadata, share, min(channels, share))
                       for share in shares]
        self._pipes: list[Connection] = []
        self._processes: list[BaseProcess] = []

    def __enter__(self) -> SubscriberGroup:
        context = multiprocessing.get_context("spawn")
        try:
            for spec in self._specs:
                mine, theirs = context.Pipe()
                self._pipes.append(mine)
                process = context.Process(target=subscribers.child_main, args=(spec, theirs), name="bench-subscribers", daemon=True)
                process.start()
                theirs.close()
                self._processes.append(process)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        for pipe in self._pipes:
            pipe.close()
        for process in self._processes:
            stop_process(process)

    def wait_live(self) -> None:
        for pipe in self._pipes:
            if _receive(pipe, LIVE_TIMEOUT_S) != subscribers.LIVE:
                raise RuntimeError("a subscriber process did not report live")

    def collect(self, expect: Expect) -> SubscriberReport:
        for pipe in self._pipes:
            pipe.send(expect)
        reports = [_receive(pipe, expect.timeout_s + REPORT_TIMEOUT_S) for pipe in self._pipes]
        return merge([r for r in reports if isinstance(r, SubscriberReport)])


def _receive(pipe: Connection, timeout_s: float) -> object:
    if not pipe.poll(timeout_s):
        raise TimeoutError(f"a subscriber process gave no answer within {timeout_s:.0f} s")
    try:
        answer = pipe.recv()
    except EOFError:
        raise RuntimeError("a subscriber process died without an answer") from None
    if isinstance(answer, ChildFailure):
        raise RuntimeError(f"a subscriber process failed:\n{answer.traceback}")
    return answer


def merge(reports: list[SubscriberReport]) -> SubscriberReport:
    firsts = [r.first_event_time_us for r in reports if r.first_event_time_us is not None]
    lasts = [r.last_arrival_us for r in reports if r.last_arrival_us is not None]
    latencies = array("q")
    for r in reports:
        latencies.extend(r.latencies_us)
    return SubscriberReport(
        received=[count for r in reports for count in r.received],
        duplicates=sum(r.duplicates for r in reports),
        latencies_us=latencies,
        first_event_time_us=min(firsts, default=None),
        last_arrival_us=max(lasts, default=None),
        errors=[error for r in reports for error in r.errors],
    )


def fan_out(server: FanOutServer, count: int, events: int, options: StreamOptions, paced_rate: float | None = None) -> FanOutResult:
    """`count` fresh subscribers, then `events` published events (closed loop, or open loop
    at `paced_rate`/s); waits until each subscriber has them all."""
    load = options.load
    spec = load_spec(server.publish, Options(load.concurrency, events, load.duration_s, load.channels, load.log_dir), 0, paced_rate)
    with SubscriberGroup(server, count, options.per_process, load.channels) as group:
        group.wait_live()
        cpu_before, wall_before = server.process.cpu_seconds(), time.monotonic()
        generated = run_load(spec, load)
        received = group.collect(Expect(generated.calls, DRAIN_TIMEOUT_S))
        cpu_after, wall_after = server.process.cpu_seconds(), time.monotonic()
    return fan_out_result(count, generated.calls, received, asdict(generated), cpu_percent(cpu_before, cpu_after, wall_after - wall_before),
                          "max_rate" if paced_rate is None else "paced")


def cpu_percent(before: float | None, after: float | None, wall_s: float) -> float | None:
    if before is None or after is None or wall_s <= 0:
        return None
    return round(100 * (after - before) / wall_s, 1)


def fan_out_result(count: int, events: int, received: SubscriberReport, generator: dict[str, Any], server_cpu: float | None, mode: str) -> FanOutResult:
    deliveries = sum(received.received)
    first, last = received.first_event_time_us, received.last_arrival_us
    elapsed = (last - first) / 1e6 if first is not None and last is not None else 0.0
    delivered_per_s = rate(deliveries, elapsed)
    return FanOutResult(
        subscribers=count, mode=mode, events=events, deliveries=deliveries,
        missing=count * events - deliveries, duplicates=received.duplicates,
        incomplete_subscribers=sum(1 for n in received.received if n < events),
        elapsed_s=round(elapsed, 3), delivered_per_s=delivered_per_s, per_subscriber_per_s=round(delivered_per_s / count, 1),
        latency=latency_summary_ms([us / 1e6 for us in received.latencies_us]),
        generator=generator, server_cpu_percent=server_cpu, subscriber_errors=received.errors,
    )


def describe(result: FanOutResult) -> str:
    loss = f", {result.missing} MISSING" if result.missing else ", none missing"
    return (f"{result.subscribers} subscribers x {result.events} events: {result.delivered_per_s:,.0f} delivered/s "
            f"({result.per_subscriber_per_s:,.0f}/s each), commit->arrival p50 {result.latency['p50_ms']} ms, "
            f"p99 {result.latency['p99_ms']} ms, server CPU {result.server_cpu_percent}%{loss}")


def idle_memory(gateway: FanOutServer, options: StreamOptions) -> dict[str, Any]:
    """Gateway VmRSS with `idle_subscribers` idle streams open minus with none, per stream."""
    count = options.idle_subscribers
    time.sleep(SETTLE_S)
    before = gateway.process.rss_kib()
    with SubscriberGroup(gateway, count, options.per_process, options.load.channels) as group:
        group.wait_live()
        time.sleep(SETTLE_S)
        after = gateway.process.rss_kib()
        group.collect(Expect(0, DRAIN_TIMEOUT_S))
    per_subscriber = None if before is None or after is None else round((after - before) / count, 1)
    return {"subscribers": count, "rss_before_kib": before, "rss_with_streams_kib": after, "per_subscriber_kib": per_subscriber}


def measure_bare_fan_out(options: StreamOptions) -> dict[str, Any]:
    """The echo server's bare fan-out at max rate for each subscriber count: the ceiling."""
    results = {}
    with servers.echo_server(options.load.log_dir / "echo-streams.log") as echo:
        bare = FanOutServer(echo, publish_target(echo.address), SUBSCRIBE_METHOD)
        fan_out(bare, WARMUP_SUBSCRIBERS, WARMUP_EVENTS, options)
        for count in options.subscriber_counts:
            top = fan_out(bare, count, options.events_for(count), options)
            progress(f"streams: bare gRPC fan-out: {describe(top)}")
            results[str(count)] = asdict(top)
    return results


def measure_gateway(database_url: str, options: StreamOptions) -> dict[str, Any]:
    api_key = servers.create_account_key(database_url)
    log_path = options.load.log_dir / "gateway-streams.log"
    max_streams = max(*options.subscriber_counts, options.idle_subscribers, WARMUP_SUBSCRIBERS)
    with servers.gateway(database_url, log_path, ["--max-streams-per-account", str(max_streams)]) as process:
        gateway_client.create_sms_identity(process.address, api_key)
        gateway = FanOutServer(process, inject_target(process.address, api_key), STREAM_INBOUND_METHOD)
        # Connections, lazy imports and caches on both sides, before anything is measured.
        fan_out(gateway, WARMUP_SUBSCRIBERS, WARMUP_EVENTS, options)
        memory = idle_memory(gateway, options)
        progress(f"streams: {memory['subscribers']} idle subscribers: {memory['per_subscriber_kib']} KiB each "
                 f"(VmRSS {memory['rss_before_kib']} -> {memory['rss_with_streams_kib']} KiB)")
        fan_outs = {}
        for count in options.subscriber_counts:
            top = fan_out(gateway, count, options.events_for(count), options)
            progress(f"streams: max rate: {describe(top)}")
            paced = fan_out(gateway, count, options.events_for(count), options, max(1.0, top.per_subscriber_per_s * PACED_FRACTION))
            progress(f"streams: paced at {paced.generator['target_rate']}/s: {describe(paced)}")
            fan_outs[str(count)] = {"max_rate": asdict(top), "paced": asdict(paced)}
        peak_pss = process.peak_pss_mib()
    return {
        "idle_memory": memory,
        "fan_out": fan_outs,
        "gateway_peak_pss_mib": peak_pss,
        "gateway_stop": {"exit_code": process.exit_code, "seconds": process.stop_seconds},
        "gateway_log": {"path": str(log_path)},
    }


def measure_streams(database_url: str, options: StreamOptions) -> dict[str, Any]:
    """The bare fan-out first (its own server, stopped before the gateway starts), then the
    gateway; ratios of delivered events/s, gateway to bare, per subscriber count."""
    bare = measure_bare_fan_out(options)
    run: dict[str, Any] = {"store": "sqlite", "bare_fan_out": bare, **measure_gateway(database_url, options)}
    run["ratios"] = {count: ratio(phases["max_rate"]["delivered_per_s"], bare[count]["delivered_per_s"]) for count, phases in run["fan_out"].items()}
    return run
