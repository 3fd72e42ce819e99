"""LISTEN/NOTIFY between two gateways on one PostgreSQL database: a commit on one wakes the
other's event-log reader, also after the listening connection was lost. The reader's poll
interval is a minute here, so only a notification (or the listener's reconnect) can deliver."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import asyncpg
import pytest
from omnirelay.v1 import content_pb2, messaging_pb2
from sqlalchemy.engine import make_url

from omnirelay.app import Gateway
from omnirelay.config import Settings
from omnirelay.domain import status as st
from omnirelay.store.notify import APPLICATION_NAME
from omnirelay.store.schema import EVENT_STATUS
from tests.conftest import Client, create_identity


@pytest.fixture
async def other(settings: Settings) -> AsyncIterator[Gateway]:
    """A second replica that only reads: no dispatcher, and it polls the log once a minute."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite serves one process")
    gw = Gateway(dataclasses.replace(settings, dispatch=False, event_poll_seconds=60.0))
    await gw.start()
    try:
        yield gw
    finally:
        await gw.stop()


async def _send(client: Client, body: str) -> str:
    sent = await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body=body)),
    ))
    return sent.name


async def _statuses(other: Gateway, name: str, after: int, until: int) -> list[int]:
    """The statuses `other` hears for message `name`, up to `until`."""
    sub = other.hub.subscribe("acme", EVENT_STATUS, lambda e: e.message == name, after)
    seen: list[int] = []
    try:
        while not seen or seen[-1] != until:
            event = await sub.next(timeout=10)
            assert event is not None, f"nothing within 10 s after {seen}"
            seen.append(event.status)
    finally:
        other.hub.unsubscribe(sub)
    return seen


async def test_a_commit_on_one_replica_wakes_the_other(gateway: Gateway, other: Gateway, client: Client) -> None:
    await create_identity(client)
    after = other.hub.position
    name = await _send(client, "hello")
    assert await _statuses(other, name, after, st.READ) == [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED, st.READ]


async def test_the_listener_reconnects_after_its_connection_is_killed(gateway: Gateway, other: Gateway, client: Client, settings: Settings) -> None:
    await create_identity(client)
    assert other.listener is not None and other.listener.connects == 1
    dsn = make_url(settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        killed = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
    finally:
        await conn.close()
    assert killed == 2  # each gateway's listener
    for _ in range(100):
        if other.listener.connects == 2:
            break
        await asyncio.sleep(0.05)
    assert other.listener.connects == 2
    after = other.hub.position
    name = await _send(client, "after the loss")
    assert await _statuses(other, name, after, st.READ) == [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED, st.READ]


async def test_an_idle_dispatcher_does_not_wake_itself(gateway: Gateway) -> None:
    """Its empty claims commit nothing worth a wake-up: it claims once per poll interval
    (0.05 s here), not in a loop of its own commits."""
    before = gateway.writer.batches
    await asyncio.sleep(1.0)
    assert gateway.writer.batches - before <= 2 / gateway.settings.dispatch_poll_seconds
