"""One log reader per process fans events out to every subscriber in memory.

A subscription has a bounded buffer. While the buffer is armed ("live"), the hub appends every
matching event to it. When it overflows, the buffer is dropped and the subscription reads the
log itself until it has caught up, then re-arms: a slow subscriber is never dropped and never
loses an event (etcd's unsynced watchers), and memory per subscriber stays bounded.

The hand-over is exact because the hub offers events synchronously after each read and then
advances `position`: arming at position P means every event after P reaches the buffer, and the
subscription reads the log only up to P.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Connection, bindparam, func, select

from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.events import cursor
from omnirelay.store import statements
from omnirelay.store.database import Database
from omnirelay.store.eventlog import head_sequence, purged_through
from omnirelay.store.schema import EVENT_INBOUND, events
from omnirelay.v1.messaging_pb2 import InboundMessageEvent, MessageEvent
from omnirelay.waiting import wake_or_timeout

log = structlog.get_logger(__name__)

LogEvent = MessageEvent | InboundMessageEvent


class StreamClosed(Exception):
    """The server is shutting down; the client resumes from its last cursor."""


def decode(row: Any) -> LogEvent:
    event: LogEvent = InboundMessageEvent() if row["kind"] == EVENT_INBOUND else MessageEvent()
    event.ParseFromString(row["payload"])
    event.event_id = str(row["seq"])
    event.sequence = row["seq"]
    event.cursor = cursor.encode(row["seq"])
    return event


_NEW_EVENTS = select(events).where(events.c.seq > bindparam("after")).order_by(events.c.seq).limit(bindparam("limit"))


@dataclass(frozen=True)
class HubSettings:
    poll_seconds: float = 0.25
    read_batch: int = 1000
    buffer_size: int = 1000


class EventHub:
    def __init__(self, db: Database, settings: HubSettings) -> None:
        self._db = db
        self._settings = settings
        self.position = 0
        # Events up to here were purged by retention: cursors below it have expired.
        self.purged_through = 0
        self.closed = False
        self._subscribers: dict[tuple[str, int], set[Subscription]] = defaultdict(set)
        self._wake = asyncio.Event()
        self._head_read_at = float("-inf")
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.position = await self._db.read(head_sequence)
        self.purged_through = await self._db.read(purged_through)
        self._task = asyncio.create_task(self._run(), name="event-hub")

    def notify(self) -> None:
        """Something was committed to the log in this process."""
        self._wake.set()

    async def close(self) -> None:
        self.closed = True
        for subs in self._subscribers.values():
            for sub in subs:
                sub.ready.set()
        self._wake.set()
        if self._task is not None:
            # Asked to stop, not cancelled: see Dispatcher.stop.
            await self._task

    def subscribe(self, account_id: str, kind: int, matches: Callable[[Any], bool], after: int) -> Subscription:
        sub = Subscription(self, account_id, kind, matches, after, self._settings.buffer_size, self._settings.read_batch)
        self._subscribers[(account_id, kind)].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subscribers.get((sub.account_id, sub.kind))
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subscribers[(sub.account_id, sub.kind)]

    def subscriber_count(self, account_id: str) -> int:
        return sum(len(subs) for (account, _), subs in self._subscribers.items() if account == account_id)

    async def _run(self) -> None:
        while not self.closed:
            self._wake.clear()
            try:
                read = await self._read_new()
            except Exception:  # noqa: BLE001 - the store may be down; keep polling
                log.exception("event_log_read_failed")
                read = 0
            if read < self._settings.read_batch:
                await wake_or_timeout(self._wake, self._settings.poll_seconds)

    async def _read_new(self) -> int:
        if not self._subscribers:
            # Nobody to offer events to: skip them, but only once per poll, not per commit,
            # so a busy gateway without streams does not read the log at all between polls.
            if time.monotonic() - self._head_read_at >= self._settings.poll_seconds:
                await self.head()
            return 0
        params = {"after": self.position, "limit": self._settings.read_batch}
        rows = await self._db.read(lambda conn: statements.run(conn, _NEW_EVENTS, params))
        # From here to the end no await: offering and advancing `position` are one step.
        for row in rows:
            subs = self._subscribers.get((row["account_id"], row["kind"]))
            if subs:
                event = decode(row)
                for sub in subs:
                    sub.offer(event)
        if rows:
            self.position = rows[-1]["seq"]
        return len(rows)

    async def head(self) -> int:
        """The log's newest sequence. With subscribers `position` is kept current; without, it
        may lag a poll behind, so it is read (sequence order is commit order, see
        store/database.py, so nothing can commit below the head later)."""
        if self._subscribers:
            return self.position
        self._head_read_at = time.monotonic()
        head = await self._db.read(head_sequence)
        if not self._subscribers:  # a subscriber arriving meanwhile must be offered what follows
            self.position = max(self.position, head)
        return head

    def check_cursor(self, after: int) -> None:
        """A position older than retention cannot be resumed from: the events are gone."""
        if after < self.purged_through:
            raise GatewayError(
                Reason.CURSOR_EXPIRED,
                "the cursor is older than the retained events; resume from oldest_cursor",
                metadata={"oldest_cursor": cursor.encode(self.purged_through)},
            )

    async def read(self, account_id: str, kind: int, after: int, upto: int, limit: int) -> list[LogEvent]:
        query = (
            select(events)
            .where(events.c.account_id == account_id, events.c.kind == kind, events.c.seq > after, events.c.seq <= upto)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [decode(row) for row in await self._db.read(lambda conn: list(conn.execute(query).mappings()))]

    async def first_at_or_after(self, account_id: str, event_time_us: int) -> int:
        """The position just before the account's first event at or after a time."""
        query = select(func.min(events.c.seq)).where(events.c.account_id == account_id, events.c.event_time >= event_time_us)
        first = await self._db.read(lambda conn: _scalar(conn, query))
        return await self.head() if first is None else first - 1


def _scalar(conn: Connection, query: Any) -> Any:
    return conn.execute(query).scalar()


class Subscription:
    def __init__(
        self, hub: EventHub, account_id: str, kind: int, matches: Callable[[Any], bool], after: int, buffer_size: int, read_batch: int
    ) -> None:
        self.hub = hub
        self.account_id = account_id
        self.kind = kind
        self.matches = matches
        # Every event up to `pos` has been handled (yielded or filtered out).
        self.pos = after
        # While not None, the buffer holds every matching event after `live_from`.
        self.live_from: int | None = None
        self.buffer: deque[LogEvent] = deque()
        self.buffer_size = buffer_size
        self.read_batch = read_batch
        self.ready = asyncio.Event()
        self.overflows = 0
        self._backlog: deque[LogEvent] = deque()
        self._backlog_upto = after

    def offer(self, event: LogEvent) -> None:
        if self.live_from is None or not self.matches(event):
            return
        if len(self.buffer) >= self.buffer_size:
            # Too slow: drop the buffer and fall back to reading the log.
            self.buffer.clear()
            self.live_from = None
            self.overflows += 1
        else:
            self.buffer.append(event)
        self.ready.set()

    async def next(self, timeout: float) -> LogEvent | None:
        """The next matching event, or None after `timeout` idle seconds (time for a checkpoint)."""
        while True:
            if self.hub.closed:
                raise StreamClosed
            while self._backlog:
                event = self._backlog.popleft()
                if event.sequence > self.pos:
                    self.pos = event.sequence
                    if self.matches(event):
                        return event
            self.pos = max(self.pos, self._backlog_upto)
            if self.live_from is None:
                self.buffer.clear()
                self.live_from = self.hub.position
            if self.pos < self.live_from:
                await self._read_log(self.live_from)
                continue
            while self.buffer:
                event = self.buffer.popleft()
                if event.sequence > self.pos:
                    self.pos = event.sequence
                    return event
            self.ready.clear()
            try:
                await asyncio.wait_for(self.ready.wait(), timeout)
            except TimeoutError:
                if self.live_from is not None and not self.buffer:
                    # Idle and live: everything up to the hub's position is handled.
                    self.pos = max(self.pos, self.hub.position)
                return None

    async def _read_log(self, upto: int) -> None:
        self.hub.check_cursor(self.pos)
        limit = self.read_batch
        rows = await self.hub.read(self.account_id, self.kind, self.pos, upto, limit)
        self._backlog.extend(rows)
        # A short read means the log holds nothing more for us up to `upto`.
        self._backlog_upto = upto if len(rows) < limit else rows[-1].sequence
