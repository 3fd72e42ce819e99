"""Wake-ups across replicas: PostgreSQL LISTEN/NOTIFY.

A write transaction that appended events (or made messages due) calls pg_notify in the same
transaction, so every replica hears of it at commit. Each replica holds one connection that
LISTENs on both channels and wakes its event-log reader or dispatcher. A notification is only a
wake-up: the readers also poll, so one lost while the connection is down costs latency, never an
event. After every (re)connect the listener wakes both, for what was committed meanwhile. SQLite
serves one process, where the commit itself wakes the readers: nothing to listen to there.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import asyncpg
import structlog
from sqlalchemy import TextClause, text
from sqlalchemy.engine import make_url

from omnirelay.waiting import wake_or_timeout

log = structlog.get_logger(__name__)

EVENTS = "omnirelay_events"  # the event log has new rows: stream readers
DISPATCH = "omnirelay_dispatch"  # messages became due: dispatchers
CHANNELS = frozenset({EVENTS, DISPATCH})
APPLICATION_NAME = "omnirelay-listener"

Wake = Callable[[frozenset[str]], None]


@functools.cache
def notify_statement(channels: frozenset[str]) -> TextClause:
    """One statement notifying each channel; delivered when the transaction commits. One
    object per set of channels (few): the statements fast path compiles each object once."""
    assert channels <= CHANNELS
    return text("SELECT " + ", ".join(f"pg_notify('{c}', '')" for c in sorted(channels)))


class NotificationListener:
    """One LISTENing asyncpg connection, reconnected whenever it is lost."""

    def __init__(self, database_url: str, wake: Wake, retry_seconds: float = 1.0, ping_seconds: float = 15.0) -> None:
        self._dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._wake = wake
        self._retry_seconds = retry_seconds
        # A connection that died without a FIN (a network partition) is found by a ping.
        self._ping_seconds = ping_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.connects = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-listener")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    def _on_notification(self, _conn: Any, _pid: int, channel: str, _payload: str) -> None:
        self._wake(frozenset({channel}))

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self._listen()
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("notification_listener_lost", error=str(error))
            await wake_or_timeout(self._stop, self._retry_seconds)

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self._dsn, timeout=10, server_settings={"application_name": APPLICATION_NAME})
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn: lost.set())
            for channel in sorted(CHANNELS):
                await conn.add_listener(channel, self._on_notification)
            self.connects += 1
            self._wake(CHANNELS)
            while not (self._stop.is_set() or lost.is_set()):
                await _first(self._stop, lost, timeout=self._ping_seconds)
                if not (self._stop.is_set() or lost.is_set()):
                    await conn.fetchval("SELECT 1", timeout=5)
        finally:
            if not conn.is_closed():
                conn.terminate()


async def _first(*events: asyncio.Event, timeout: float) -> None:
    """Until one of `events` is set, or `timeout` seconds."""
    waits = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
