"""Engines for SQLite (embedded default) and PostgreSQL (scale-out)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import structlog
from sqlalchemy import ColumnElement, Insert, Table, and_, event, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.store import sqlite_driver

log = structlog.get_logger(__name__)

# Serializes event-log writers on PostgreSQL: sequence values are then handed out in commit
# order, so a reader at `seq > last` never skips a row that commits late (ARCHITECTURE.md).
EVENT_LOG_LOCK = 0x6F6D6E69  # "omni"

T = TypeVar("T")


@dataclass
class Database:
    """A write engine and a read engine. On SQLite the writer is one connection that begins
    IMMEDIATE; readers use their own connections (WAL lets them read while it writes)."""

    url: str
    writer: AsyncEngine
    reader: AsyncEngine

    @property
    def is_postgres(self) -> bool:
        return self.writer.dialect.name == "postgresql"

    async def read(self, query: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run a read on a reader connection, shielded from the caller's cancellation.

        A gRPC handler is cancelled when its client goes away; cancelling a task in the middle
        of a database call can leave a pooled aiosqlite connection waiting forever. Shielded,
        the query finishes and returns its connection; the caller still sees the cancel."""

        async def run() -> T:
            async with self.reader.connect() as conn:
                return await query(conn)

        try:
            return await asyncio.shield(run())
        except Exception as exc:
            mapped = as_store_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


def as_store_error(exc: Exception) -> Exception:
    """A database that cannot be reached (down, restarting, connection lost) becomes
    STORE_UNAVAILABLE, which clients retry; any other error stays what it is."""
    if isinstance(exc, GatewayError):
        return exc
    lost = isinstance(exc, (OperationalError, InterfaceError, OSError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )
    if lost:
        log.warning("store_unavailable", error=str(exc))
        return GatewayError(Reason.STORE_UNAVAILABLE, "the database could not be reached; retry")
    return exc


def matching_keys(columns: Sequence[ColumnElement[Any]], keys: Iterable[tuple[Any, ...]]) -> ColumnElement[bool]:
    """`columns` equal one of `keys` (composite keys), in a form found by index.

    SQLite (3.40) scans the whole table for a row-value `(a, b, c) IN (VALUES ...)`. Keys that
    share all but their last column become `a = ? AND b = ? AND c IN (...)`, an index search
    (an OR of them a multi-index OR); the IN is an expanding parameter, so the statement's
    compiled form is cached whatever the number of keys."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for key in keys:
        groups.setdefault(key[:-1], []).append(key[-1])
    *leading, last = columns
    return or_(*(and_(*(column == value for column, value in zip(leading, prefix, strict=True)), last.in_(values)) for prefix, values in groups.items()))


def dialect_insert(conn: AsyncConnection) -> Callable[[Table], Insert]:
    """The dialect's INSERT, which has ON CONFLICT (both PostgreSQL and SQLite do)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert  # type: ignore[return-value]


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// and sqlite:// URLs and pick the asyncio drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def connect(url: str, pool_size: int = 10) -> Database:
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite(url)
    # No pre-ping (a round trip per checkout): a statement on a dropped connection fails as
    # STORE_UNAVAILABLE, which clients retry, and SQLAlchemy then invalidates the pool.
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    return Database(url, engine, engine)


def _sqlite(url: str) -> Database:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(os.path.dirname(os.path.abspath(path))).mkdir(parents=True, exist_ok=True)
    connect_sqlite = partial(sqlite_driver.connect, path or ":memory:")
    # The writer's transactions always end in COMMIT or ROLLBACK (engine.begin()), so the
    # pool's reset-on-return would only repeat one.
    writer = create_async_engine(url, pool_size=1, max_overflow=0, async_creator=connect_sqlite, pool_reset_on_return=None)
    reader = create_async_engine(url, pool_size=4, max_overflow=4, async_creator=connect_sqlite)
    for engine, begin in ((writer, "BEGIN IMMEDIATE"), (reader, "BEGIN")):
        _sqlite_pragmas(engine, begin)
    return Database(url, writer, reader)


def _sqlite_pragmas(engine: AsyncEngine, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's begin event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # On the DBAPI cursor: BEGIN needs none of a statement's result handling.
        cursor = conn.connection.cursor()
        cursor.execute(begin)
        cursor.close()
