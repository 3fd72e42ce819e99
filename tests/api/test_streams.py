"""StreamMessageEvents and StreamInboundMessages: replay, live tail, resume, slow subscribers."""

from __future__ import annotations

import asyncio
import dataclasses

import grpc
import pytest
from omnirelay.v1 import content_pb2, messaging_pb2, sandbox_pb2

from omnirelay.app import Gateway
from omnirelay.domain import status as st
from tests.conftest import Client, create_identity, fails, new_key, wait_for_status

LIFECYCLE = [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED, st.READ]


def inbound(body: str) -> sandbox_pb2.InjectInboundMessageRequest:
    return sandbox_pb2.InjectInboundMessageRequest(identity="sms", sender="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body=body)))


def send(**kw: object) -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="hi")), **kw)


class Reader:
    """Reads a server stream: events (or inbound messages) and the last cursor seen."""

    def __init__(self, call: grpc.aio.UnaryStreamCall, kind: str) -> None:
        self.call, self.kind = call, kind
        self.items: list = []
        self.checkpoints = 0
        self.cursor = ""

    async def next_response(self, timeout: float = 5.0):  # type: ignore[no-untyped-def]
        return await asyncio.wait_for(self.call.read(), timeout)

    async def started(self) -> Reader:
        first = await self.next_response()
        assert first.WhichOneof("item") == "checkpoint"
        self.cursor = first.checkpoint.cursor
        return self

    async def collect(self, count: int, timeout: float = 10.0, delay: float = 0.0) -> list:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.items) < count:
            response = await self.next_response(max(deadline - asyncio.get_running_loop().time(), 0.01))
            if response is grpc.aio.EOF:
                break
            if response.WhichOneof("item") == "checkpoint":
                self.checkpoints += 1
                self.cursor = response.checkpoint.cursor
                continue
            item = getattr(response, self.kind)
            self.items.append(item)
            self.cursor = item.cursor
            if delay:
                await asyncio.sleep(delay)
        return self.items


async def events(client: Client, **request: object) -> Reader:
    call = client.messaging.StreamMessageEvents(messaging_pb2.StreamMessageEventsRequest(**request))
    return await Reader(call, "event").started()


async def inbound_stream(client: Client, **request: object) -> Reader:
    call = client.messaging.StreamInboundMessages(messaging_pb2.StreamInboundMessagesRequest(**request))
    return await Reader(call, "inbound").started()


async def test_live_events_follow_the_lifecycle_in_order(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    reader = await events(client)
    sent = await client.messaging.SendMessage(send(metadata={"order": "7"}))
    got = await reader.collect(5)
    assert [e.status for e in got] == LIFECYCLE
    assert all(e.message == sent.name and e.metadata["order"] == "7" for e in got)
    assert [e.sequence for e in got] == sorted(e.sequence for e in got)
    assert len({e.event_id for e in got}) == 5
    assert got[2].provider_message_ids and got[3].provider_code == "delivered"
    reader.call.cancel()


async def test_inbound_stream_carries_the_content(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    reader = await inbound_stream(client)
    stored = await client.sandbox.InjectInboundMessage(inbound("STOP"))
    [event] = await reader.collect(1)
    assert event.message.name == stored.name
    assert event.message.content.text.body == "STOP"
    assert event.message.sender == "+15557654321"
    reader.call.cancel()


async def test_resume_from_cursor_gets_every_event_exactly_once(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    first = await inbound_stream(client)
    for i in range(5):
        await client.sandbox.InjectInboundMessage(inbound(f"m{i}"))
    await first.collect(3)
    first.call.cancel()
    for i in range(5, 10):
        await client.sandbox.InjectInboundMessage(inbound(f"m{i}"))
    resumed = await inbound_stream(client, start=messaging_pb2.StreamStart(cursor=first.cursor))
    await resumed.collect(7)
    bodies = [e.message.content.text.body for e in first.items + resumed.items]
    assert bodies == [f"m{i}" for i in range(10)]
    resumed.call.cancel()


async def test_start_positions_oldest_time_and_now(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    early = await client.sandbox.InjectInboundMessage(inbound("early"))
    await asyncio.sleep(0.01)
    late = await client.sandbox.InjectInboundMessage(inbound("late"))
    oldest = await inbound_stream(client, start=messaging_pb2.StreamStart(oldest=True))
    assert [e.message.name for e in await oldest.collect(2)] == [early.name, late.name]
    from_time = await inbound_stream(client, start=messaging_pb2.StreamStart(time=late.receive_time))
    assert [e.message.name for e in await from_time.collect(1)] == [late.name]
    now = await inbound_stream(client)
    newest = await client.sandbox.InjectInboundMessage(inbound("newest"))
    assert [e.message.name for e in await now.collect(1)] == [newest.name]
    for reader in (oldest, from_time, now):
        reader.call.cancel()


@pytest.mark.settings(event_poll_seconds=30)
async def test_now_with_no_other_stream_starts_after_events_the_hub_has_not_polled(client):  # type: ignore[no-untyped-def]
    # With no subscribers the hub reads the log head once a poll, not per commit: a stream
    # starting "now" must still not be handed the events committed since that poll.
    await create_identity(client)
    for i in range(3):
        await client.sandbox.InjectInboundMessage(inbound(f"before{i}"))
    now = await inbound_stream(client)
    newest = await client.sandbox.InjectInboundMessage(inbound("newest"))
    assert [e.message.name for e in await now.collect(1)] == [newest.name]
    now.call.cancel()


async def test_filters_select_events(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    delivered = await events(client, filter=messaging_pb2.MessageEventFilter(statuses=[st.DELIVERED]))
    tagged = await events(client, filter=messaging_pb2.MessageEventFilter(metadata={"campaign": "x"}))
    one = await client.messaging.SendMessage(send(metadata={"campaign": "x"}))
    two = await client.messaging.SendMessage(send())
    got = await delivered.collect(2)
    assert {e.message for e in got} == {one.name, two.name} and {e.status for e in got} == {st.DELIVERED}
    assert {e.message for e in await tagged.collect(5)} == {one.name}
    await wait_for_status(client, two.name, st.READ)
    by_message = await events(client, filter=messaging_pb2.MessageEventFilter(message=two.name), start=messaging_pb2.StreamStart(oldest=True))
    assert [e.status for e in await by_message.collect(5)] == LIFECYCLE
    for reader in (delivered, tagged, by_message):
        reader.call.cancel()


@pytest.mark.settings(checkpoint_seconds=0.1)
async def test_idle_stream_gets_checkpoints(client):  # type: ignore[no-untyped-def]
    reader = await events(client)
    for _ in range(3):
        response = await reader.next_response(2)
        assert response.WhichOneof("item") == "checkpoint" and response.checkpoint.cursor
    reader.call.cancel()


@pytest.mark.settings(max_streams_per_account=2)
async def test_stream_limit_per_account(client):  # type: ignore[no-untyped-def]
    open_streams = [await events(client), await inbound_stream(client)]
    error = await fails(_first(client.messaging.StreamMessageEvents(messaging_pb2.StreamMessageEventsRequest())))
    assert (error.code, error.reason, error.metadata["limit"]) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "TOO_MANY_STREAMS", "2")
    for reader in open_streams:
        reader.call.cancel()


async def _first(call):  # type: ignore[no-untyped-def]
    return await call.read()


@pytest.mark.settings(stream_buffer=8)
async def test_slow_subscriber_falls_back_to_the_log_and_loses_nothing(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    total = 300
    slow = await inbound_stream(client)
    fast = await inbound_stream(client)
    writes = asyncio.gather(*(client.sandbox.InjectInboundMessage(inbound(f"m{i}")) for i in range(total)))
    fast_done = asyncio.create_task(fast.collect(total, timeout=30))
    slow_items = await slow.collect(total, timeout=60, delay=0.002)
    await writes
    await fast_done
    for reader in (slow, fast):
        sequences = [e.sequence for e in reader.items]
        assert len(sequences) == total and sequences == sorted(set(sequences))
    assert len(slow_items) == total
    reader_subs = [s for subs in gateway.hub._subscribers.values() for s in subs]
    assert any(s.overflows > 0 for s in reader_subs), "the slow subscriber never overflowed its buffer"
    slow.call.cancel()
    fast.call.cancel()


async def test_concurrent_writers_every_subscriber_sees_every_event_once_in_order(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    readers = [await inbound_stream(client) for _ in range(3)]

    async def writer(w: int) -> None:
        for i in range(40):
            await client.sandbox.InjectInboundMessage(inbound(f"w{w}-{i}"))

    await asyncio.gather(*(writer(w) for w in range(5)))
    for reader in readers:
        got = await reader.collect(200)
        sequences = [e.sequence for e in got]
        assert sequences == sorted(set(sequences)) and len(sequences) == 200
        reader.call.cancel()


async def test_server_restart_mid_stream_then_resume_loses_nothing(settings):  # type: ignore[no-untyped-def]
    first = Gateway(dataclasses.replace(settings, shutdown_grace_seconds=1))
    await first.start()
    key = await new_key(first, "acme")
    async with grpc.aio.insecure_channel(f"127.0.0.1:{first.port}") as ch:
        client = Client(ch, key)
        await create_identity(client)
        reader = await inbound_stream(client)
        for i in range(3):
            await client.sandbox.InjectInboundMessage(inbound(f"m{i}"))
        await reader.collect(3)
        await first.stop()
        # The stream ends with a checkpoint to resume from, then EOF.
        tail = [await reader.next_response() for _ in range(2)]
        assert tail[0].WhichOneof("item") == "checkpoint" and tail[1] is grpc.aio.EOF
        cursor = tail[0].checkpoint.cursor
    second = Gateway(settings)
    await second.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{second.port}") as ch:
            client = Client(ch, key)
            for i in range(3, 6):
                await client.sandbox.InjectInboundMessage(inbound(f"m{i}"))
            resumed = await inbound_stream(client, start=messaging_pb2.StreamStart(cursor=cursor))
            await resumed.collect(3)
            assert [e.message.content.text.body for e in reader.items + resumed.items] == [f"m{i}" for i in range(6)]
            resumed.call.cancel()
    finally:
        await second.stop()


@pytest.mark.settings(event_retention_seconds=2.0, retention_sweep_seconds=0.05)
async def test_cursor_older_than_retention_is_expired(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    before = await inbound_stream(client)
    start_cursor = before.cursor  # just before "old"
    await client.sandbox.InjectInboundMessage(inbound("old"))
    [old] = await before.collect(1)
    before.call.cancel()
    deadline = asyncio.get_running_loop().time() + 15
    while gateway.hub.purged_through < old.sequence and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)  # retention passes; the sweeper purges "old"
    assert gateway.hub.purged_through >= old.sequence
    fresh = await client.sandbox.InjectInboundMessage(inbound("fresh"))
    call = client.messaging.StreamInboundMessages(messaging_pb2.StreamInboundMessagesRequest(start=messaging_pb2.StreamStart(cursor=start_cursor)))
    error = await fails(_first(call))
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CURSOR_EXPIRED")
    resumed = await inbound_stream(client, start=messaging_pb2.StreamStart(cursor=error.metadata["oldest_cursor"]))
    assert [e.message.name for e in await resumed.collect(1)] == [fresh.name]
    oldest = await inbound_stream(client, start=messaging_pb2.StreamStart(oldest=True))
    assert [e.message.name for e in await oldest.collect(1)] == [fresh.name]
    for reader in (resumed, oldest):
        reader.call.cancel()


async def test_two_gateways_on_one_database_subscribers_see_every_event_in_commit_order(gateway, client, settings):  # type: ignore[no-untyped-def]
    """Two writers commit concurrently (on PostgreSQL, sequence values could commit out of
    order); a subscriber on one gateway sees the other's events too, each once, in order."""
    await create_identity(client)
    other = Gateway(dataclasses.replace(settings, dispatch=False))
    await other.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{other.port}") as ch:
            other_client = Client(ch, await new_key(other, "acme"))
            readers = [await inbound_stream(client), await inbound_stream(other_client)]

            async def write(target: Client, tag: str) -> None:
                for i in range(60):
                    await target.sandbox.InjectInboundMessage(inbound(f"{tag}{i}"))

            await asyncio.gather(*(write(target, f"{tag}{w}-") for w in range(3) for target, tag in ((client, "a"), (other_client, "b"))))
            for reader in readers:
                got = await reader.collect(360, timeout=20)
                sequences = [e.sequence for e in got]
                assert len(sequences) == 360 and sequences == sorted(set(sequences))
                reader.call.cancel()
    finally:
        await other.stop()
