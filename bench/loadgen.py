"""The load generator: drives one target with N calls in flight over several channels.

It runs inside a spawned process (bench.child), one phase per process, on uvloop. Requests
and replies stay raw bytes on the hot path, so the client does the same work against the echo
server and against the gateway; only the end-to-end phase parses replies, after its sends.

Three phases:
* closed loop: `concurrency` workers each keep one call in flight until `count` calls were
  started or `duration_s` passed; calls/s is completed calls over the wall time.
* open loop: one call started every 1/rate seconds whatever the replies do; latency counts
  from the scheduled start (a late start is latency too), the start lag is reported apart.
* end to end: a StreamMessageEvents subscriber (statuses [DELIVERED]) opens first, then a
  closed loop of sends; the phase ends when every accepted message was seen DELIVERED or the
  delivery timeout passed.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import grpc
from omnirelay.v1 import messaging_pb2
from omnirelay.v1.common_pb2 import MessageStatus

from bench.stats import latency_summary_ms, rate
from bench.usage import CpuWindow, per_call_ms
from bench.workload import STREAM_EVENTS_METHOD, Metadata, Target

# Each channel gets its own subchannel, hence its own TCP connection. A target listing several
# servers ("ipv4:127.0.0.1:P1,127.0.0.1:P2", the replicas scenario) gets calls round robin.
CHANNEL_OPTIONS = (("grpc.use_local_subchannel_pool", 1), ("grpc.lb_policy_name", "round_robin"))
CONNECT_TIMEOUT_S = 10.0
ERROR_SAMPLES = 5


@dataclass(frozen=True)
class LoadSpec:
    target: Target
    concurrency: int
    count: int
    duration_s: float
    channels: int
    # Calls made before measuring (connections, caches, lazy imports on both sides).
    warmup: int
    # Open loop at this many calls/s when set; closed loop otherwise.
    paced_rate: float | None = None
    call_timeout_s: float = 30.0


@dataclass(frozen=True)
class EndToEndSpec:
    load: LoadSpec
    delivery_timeout_s: float


@dataclass
class LoadResult:
    mode: str
    calls: int
    errors: int
    error_samples: list[str]
    elapsed_s: float
    calls_per_s: float
    # Closed loop: from each call's start. Open loop: from its scheduled start.
    latency: dict[str, float | None]
    concurrency: int
    channels: int
    target_rate: float | None = None
    # Open loop only: latency from the actual start, and how late calls started.
    service_latency: dict[str, float | None] | None = None
    start_lag: dict[str, float | None] | None = None
    # During the measured calls: this client's CPU per call, and the whole machine's busy cores.
    client_cpu_ms_per_call: float | None = None
    machine_busy_cores: float | None = None


@dataclass
class EndToEndResult:
    sends: LoadResult
    delivered: int
    missing: int
    # First send to the last DELIVERED event of a message this phase sent.
    elapsed_s: float
    messages_per_s: float
    delivery_latency: dict[str, float | None]
    timed_out: bool
    subscriber_error: str | None


@dataclass(frozen=True)
class Reply:
    begin: float
    end: float
    body: bytes


@dataclass
class Errors:
    count: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, error: grpc.aio.AioRpcError) -> None:
        self.count += 1
        sample = f"{error.code().name}: {error.details()}"
        if len(self.samples) < ERROR_SAMPLES and sample not in self.samples:
            self.samples.append(sample)


class Caller:
    """One unary method over several channels, raw bytes in and out."""

    def __init__(self, target: Target, channels: int, timeout_s: float) -> None:
        self._channels = [grpc.aio.insecure_channel(target.address, options=CHANNEL_OPTIONS) for _ in range(channels)]
        self._methods = [channel.unary_unary(target.method) for channel in self._channels]
        self._payload = target.payload
        self._metadata = target.metadata
        self._timeout_s = timeout_s

    async def connect(self) -> None:
        await asyncio.wait_for(asyncio.gather(*(c.channel_ready() for c in self._channels)), CONNECT_TIMEOUT_S)

    async def call(self, slot: int) -> bytes:
        method = self._methods[slot % len(self._methods)]
        return await method(self._payload, metadata=self._metadata, timeout=self._timeout_s)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self._channels))


class Budget:
    """Hands out call slots until `count` were taken or the deadline passed."""

    def __init__(self, count: int, duration_s: float) -> None:
        self.remaining = count
        self.deadline = perf_counter() + duration_s

    def take(self) -> bool:
        if self.remaining <= 0 or perf_counter() >= self.deadline:
            return False
        self.remaining -= 1
        return True


async def closed_loop(caller: Caller, concurrency: int, count: int, duration_s: float) -> tuple[list[Reply], Errors, float]:
    """`concurrency` workers, one call in flight each; returns replies, errors, wall time."""
    budget = Budget(count, duration_s)
    replies: list[Reply] = []
    errors = Errors()

    async def worker(slot: int) -> None:
        while budget.take():
            begin = perf_counter()
            try:
                body = await caller.call(slot)
            except grpc.aio.AioRpcError as error:
                errors.add(error)
                continue
            replies.append(Reply(begin, perf_counter(), body))

    start = perf_counter()
    await asyncio.gather(*(worker(slot) for slot in range(concurrency)))
    return replies, errors, perf_counter() - start


async def warm_up(caller: Caller, spec: LoadSpec) -> None:
    if spec.warmup > 0:
        await closed_loop(caller, min(spec.concurrency, spec.warmup), spec.warmup, spec.duration_s)


def closed_result(spec: LoadSpec, replies: list[Reply], errors: Errors, elapsed_s: float, cpu: CpuWindow) -> LoadResult:
    client_cpu_s, busy_cores = cpu.close()
    return LoadResult(
        mode="closed", calls=len(replies), errors=errors.count, error_samples=errors.samples,
        elapsed_s=round(elapsed_s, 3), calls_per_s=rate(len(replies), elapsed_s),
        latency=latency_summary_ms([r.end - r.begin for r in replies]),
        concurrency=spec.concurrency, channels=spec.channels,
        client_cpu_ms_per_call=per_call_ms(client_cpu_s, len(replies) + errors.count), machine_busy_cores=busy_cores,
    )


async def run_closed(spec: LoadSpec) -> LoadResult:
    caller = Caller(spec.target, spec.channels, spec.call_timeout_s)
    try:
        await caller.connect()
        await warm_up(caller, spec)
        cpu = CpuWindow()
        replies, errors, elapsed = await closed_loop(caller, spec.concurrency, spec.count, spec.duration_s)
        return closed_result(spec, replies, errors, elapsed, cpu)
    finally:
        await caller.close()


@dataclass(frozen=True)
class PacedCall:
    scheduled: float
    started: float
    end: float


async def paced_call(caller: Caller, slot: int, scheduled: float, errors: Errors) -> PacedCall | None:
    started = perf_counter()
    try:
        await caller.call(slot)
    except grpc.aio.AioRpcError as error:
        errors.add(error)
        return None
    return PacedCall(scheduled, started, perf_counter())


async def open_loop(caller: Caller, calls_per_s: float, count: int, duration_s: float) -> tuple[list[PacedCall], Errors, float]:
    """Start call i at start + i/rate (late starts go at once); wait for all replies."""
    total = max(1, min(count, math.floor(calls_per_s * duration_s)))
    interval = 1.0 / calls_per_s
    errors = Errors()
    tasks: list[asyncio.Task[PacedCall | None]] = []
    start = perf_counter()
    for i in range(total):
        scheduled = start + i * interval
        wait = scheduled - perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(paced_call(caller, i, scheduled, errors)))
    done = [c for c in await asyncio.gather(*tasks) if c is not None]
    return done, errors, perf_counter() - start


async def run_paced(spec: LoadSpec) -> LoadResult:
    assert spec.paced_rate is not None and spec.paced_rate > 0
    caller = Caller(spec.target, spec.channels, spec.call_timeout_s)
    try:
        await caller.connect()
        await warm_up(caller, spec)
        cpu = CpuWindow()
        calls, errors, elapsed = await open_loop(caller, spec.paced_rate, spec.count, spec.duration_s)
        client_cpu_s, busy_cores = cpu.close()
    finally:
        await caller.close()
    return LoadResult(
        mode="open", calls=len(calls), errors=errors.count, error_samples=errors.samples,
        elapsed_s=round(elapsed, 3), calls_per_s=rate(len(calls), elapsed),
        latency=latency_summary_ms([c.end - c.scheduled for c in calls]),
        concurrency=spec.concurrency, channels=spec.channels, target_rate=round(spec.paced_rate, 1),
        service_latency=latency_summary_ms([c.end - c.started for c in calls]),
        start_lag=latency_summary_ms([c.started - c.scheduled for c in calls]),
        client_cpu_ms_per_call=per_call_ms(client_cpu_s, len(calls) + errors.count), machine_busy_cores=busy_cores,
    )


class DeliveredSubscriber:
    """One StreamMessageEvents call (statuses [DELIVERED]) noting when each message's first
    DELIVERED event arrived, on this process's clock."""

    def __init__(self, address: str, metadata: Metadata) -> None:
        self._channel = grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS)
        self._metadata = metadata
        self.arrivals: dict[str, float] = {}
        self.error: str | None = None
        self._pending: set[str] | None = None
        self._all_arrived = asyncio.Event()
        self._call: Any = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Returns once the stream is live: its first response is a checkpoint."""
        stream = self._channel.unary_stream(
            STREAM_EVENTS_METHOD,
            request_serializer=messaging_pb2.StreamMessageEventsRequest.SerializeToString,
            response_deserializer=messaging_pb2.StreamMessageEventsResponse.FromString,
        )
        request = messaging_pb2.StreamMessageEventsRequest(
            filter=messaging_pb2.MessageEventFilter(statuses=[MessageStatus.MESSAGE_STATUS_DELIVERED]),
        )
        self._call = stream(request, metadata=self._metadata)
        await asyncio.wait_for(self._call.read(), CONNECT_TIMEOUT_S)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            while (response := await self._call.read()) is not grpc.aio.EOF:
                if response.WhichOneof("item") == "event":
                    self._arrived(response.event)
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.CANCELLED:
                self.error = f"{error.code().name}: {error.details()}"
        except asyncio.CancelledError:
            pass
        self._all_arrived.set()  # nothing more will come: stop waiting

    def _arrived(self, event: messaging_pb2.MessageEvent) -> None:
        if event.status != MessageStatus.MESSAGE_STATUS_DELIVERED:
            return
        self.arrivals.setdefault(event.message, perf_counter())
        if self._pending is not None:
            self._pending.discard(event.message)
            if not self._pending:
                self._all_arrived.set()

    async def wait_for(self, names: set[str], timeout_s: float) -> bool:
        """Wait until each of `names` was seen DELIVERED; False on timeout or stream end."""
        self._pending = names - self.arrivals.keys()
        if self._pending:
            try:
                await asyncio.wait_for(self._all_arrived.wait(), timeout_s)
            except TimeoutError:
                return False
        return not self._pending

    async def close(self) -> None:
        if self._call is not None:
            self._call.cancel()
        if self._reader is not None:
            await self._reader
        await self._channel.close()


def sent_messages(replies: list[Reply]) -> dict[str, float]:
    """Message name -> client time its SendMessage call started."""
    return {messaging_pb2.Message.FromString(r.body).name: r.begin for r in replies}


def end_to_end_result(sends: LoadResult, sent: dict[str, float], subscriber: DeliveredSubscriber, complete: bool) -> EndToEndResult:
    arrived = {name: subscriber.arrivals[name] for name in sent if name in subscriber.arrivals}
    elapsed = (max(arrived.values()) - min(sent.values())) if arrived else 0.0
    return EndToEndResult(
        sends=sends, delivered=len(arrived), missing=len(sent) - len(arrived),
        elapsed_s=round(elapsed, 3), messages_per_s=rate(len(arrived), elapsed),
        delivery_latency=latency_summary_ms([arrived[name] - sent[name] for name in arrived]),
        timed_out=not complete, subscriber_error=subscriber.error,
    )


async def run_end_to_end(spec: EndToEndSpec) -> EndToEndResult:
    load = spec.load
    caller = Caller(load.target, load.channels, load.call_timeout_s)
    subscriber = DeliveredSubscriber(load.target.address, load.target.metadata)
    try:
        await caller.connect()
        await warm_up(caller, load)
        await subscriber.start()
        cpu = CpuWindow()
        replies, errors, elapsed = await closed_loop(caller, load.concurrency, load.count, load.duration_s)
        sends = closed_result(load, replies, errors, elapsed, cpu)
        sent = sent_messages(replies)
        complete = await subscriber.wait_for(set(sent), spec.delivery_timeout_s)
        return end_to_end_result(sends, sent, subscriber, complete)
    finally:
        await subscriber.close()
        await caller.close()


async def run_spec(spec: LoadSpec | EndToEndSpec) -> LoadResult | EndToEndResult:
    if isinstance(spec, EndToEndSpec):
        return await run_end_to_end(spec)
    if spec.paced_rate is not None:
        return await run_paced(spec)
    return await run_closed(spec)
