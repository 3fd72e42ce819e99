"""Stream subscribers in a load-generator process (the streams scenario's client side).

One spawned process holds many StreamInboundMessages calls (or the echo server's bare
equivalent) spread over a few channels. Its
hot path only notes each response's raw bytes and arrival time; parsing waits until the phase
is over, so the client spends as little CPU per event as it can. Arrival times are wall clock
(time.time_ns), the clock the gateway stamps event_time with, on the same machine.

The parent drives it over a duplex pipe:
  child -> parent: LIVE once every stream sent its first response (a checkpoint), so each
                   subscription is registered and every later event must reach it;
  parent -> child: Expect(events, timeout_s): how many events the generator committed;
  child -> parent: SubscriberReport once every subscriber saw that many events (or timeout).
"""

from __future__ import annotations

import asyncio
import time
import traceback
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import grpc
from omnirelay.v1 import messaging_pb2

from bench import eventloop
from bench.child import ChildFailure
from bench.loadgen import CHANNEL_OPTIONS, CONNECT_TIMEOUT_S
from bench.workload import Metadata

LIVE = "live"
# A StreamInboundMessagesResponse whose oneof is `inbound` (field 1, length-delimited) starts
# with this tag byte; a checkpoint (field 2) starts with 0x12. Lets the hot path count events
# without parsing them.
INBOUND_TAG = 0x0A


@dataclass(frozen=True)
class SubscriberSpec:
    address: str
    # StreamInboundMessages on the gateway, or the echo server's bare fan-out.
    method: str
    metadata: Metadata
    subscribers: int
    channels: int


@dataclass(frozen=True)
class Expect:
    events: int
    timeout_s: float


@dataclass
class SubscriberReport:
    # Distinct events each subscriber received (by sequence).
    received: list[int]
    duplicates: int
    # Commit-to-arrival of every event every subscriber received, in microseconds.
    latencies_us: array = field(default_factory=lambda: array("q"))
    # Wall-clock microseconds: the earliest event_time seen, the last arrival.
    first_event_time_us: int | None = None
    last_arrival_us: int | None = None
    errors: list[str] = field(default_factory=list)


class Subscriber:
    """One StreamInboundMessages call; keeps (arrival µs, raw response) of every event."""

    def __init__(self, call: grpc.aio.UnaryStreamCall, progress: Progress) -> None:
        self.call = call
        self.events: list[tuple[int, bytes]] = []
        self.error: str | None = None
        # Has all the expected events, or failed: counted once in Progress.
        self.finished = False
        self._progress = progress

    async def read(self) -> None:
        try:
            while (body := await self.call.read()) is not grpc.aio.EOF:
                if body[0] == INBOUND_TAG:
                    self.events.append((time.time_ns() // 1000, body))
                    self._progress.arrived(self)
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.CANCELLED:
                self.error = f"{error.code().name}: {error.details()}"
                self._progress.finish(self)
        except asyncio.CancelledError:
            pass


class Progress:
    """Counts subscribers that have all the expected events (or failed); sets `done` at all."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        self.expected: int | None = None
        self.finished = 0
        self.done = asyncio.Event()

    def arrived(self, sub: Subscriber) -> None:
        if self.expected is not None and len(sub.events) >= self.expected:
            self.finish(sub)

    def finish(self, sub: Subscriber) -> None:
        if not sub.finished:
            sub.finished = True
            self.finished += 1
            self._check()

    def expect(self, events: int, subscribers: list[Subscriber]) -> None:
        self.expected = events
        for sub in subscribers:
            self.arrived(sub)
        self._check()

    def _check(self) -> None:
        if self.expected is not None and self.finished >= self.subscribers:
            self.done.set()


def report(subscribers: list[Subscriber]) -> SubscriberReport:
    """Parse what arrived: distinct events per subscriber, duplicates, commit-to-arrival."""
    result = SubscriberReport(received=[], duplicates=0)
    first_event_time: int | None = None
    last_arrival: int | None = None
    for sub in subscribers:
        seen: set[int] = set()
        for arrival_us, body in sub.events:
            event = messaging_pb2.StreamInboundMessagesResponse.FromString(body).inbound
            if event.sequence in seen:
                result.duplicates += 1
                continue
            seen.add(event.sequence)
            event_time_us = event.event_time.ToMicroseconds()
            result.latencies_us.append(arrival_us - event_time_us)
            first_event_time = event_time_us if first_event_time is None else min(first_event_time, event_time_us)
            last_arrival = arrival_us if last_arrival is None else max(last_arrival, arrival_us)
        result.received.append(len(seen))
        if sub.error is not None and len(result.errors) < 5:
            result.errors.append(sub.error)
    result.first_event_time_us, result.last_arrival_us = first_event_time, last_arrival
    return result


async def run(spec: SubscriberSpec, parent: Connection) -> SubscriberReport:
    channels = [grpc.aio.insecure_channel(spec.address, options=CHANNEL_OPTIONS) for _ in range(spec.channels)]
    # Raw bytes out: no deserializer, the hot path only looks at the first byte.
    methods = [channel.unary_stream(spec.method, request_serializer=messaging_pb2.StreamInboundMessagesRequest.SerializeToString)
               for channel in channels]
    request = messaging_pb2.StreamInboundMessagesRequest()
    progress = Progress(spec.subscribers)
    subscribers = [Subscriber(methods[i % len(methods)](request, metadata=spec.metadata), progress) for i in range(spec.subscribers)]
    readers: list[asyncio.Task[None]] = []
    loop = asyncio.get_running_loop()
    try:
        # The first response of each stream is its checkpoint: the subscription is live.
        await asyncio.wait_for(asyncio.gather(*(sub.call.read() for sub in subscribers)), CONNECT_TIMEOUT_S + spec.subscribers / 100)
        readers = [asyncio.create_task(sub.read()) for sub in subscribers]
        parent.send(LIVE)
        expect: Expect = await loop.run_in_executor(None, parent.recv)
        progress.expect(expect.events, subscribers)
        try:
            await asyncio.wait_for(progress.done.wait(), expect.timeout_s)
        except TimeoutError:
            pass  # reported as missing events
    finally:
        for sub in subscribers:
            sub.call.cancel()
        await asyncio.gather(*readers)
        await asyncio.gather(*(channel.close() for channel in channels))
    return report(subscribers)


def child_main(spec: SubscriberSpec, parent: Connection) -> None:
    try:
        parent.send(eventloop.run(run(spec, parent)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        parent.send(ChildFailure(traceback.format_exc()))
    finally:
        parent.close()
