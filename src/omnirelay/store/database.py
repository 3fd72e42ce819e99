"""Engines for SQLite (embedded default) and PostgreSQL (scale-out)."""

from __future__ import annotations

import asyncio
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import structlog
from sqlalchemy import ColumnElement, Connection, Engine, Insert, QueuePool, Table, and_, create_engine, event, or_, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from omnirelay.domain.errors import GatewayError, Reason

log = structlog.get_logger(__name__)

# Serializes event-log writers on PostgreSQL: sequence values are then handed out in commit
# order, so a reader at `seq > last` never skips a row that commits late (ARCHITECTURE.md).
EVENT_LOG_LOCK = 0x6F6D6E69  # "omni"
# A transaction-level advisory lock on PostgreSQL (:key), held until commit or rollback.
ADVISORY_XACT_LOCK = text("SELECT pg_advisory_xact_lock(:key)")

T = TypeVar("T")


class Database(ABC):
    """The store's connections. Work is handed over whole, as a plain function of a SQLAlchemy
    `Connection`: `read` runs it on a reader connection, `write` in one write transaction.

    SQLite (SqliteDatabase) runs each function on a thread of its own: one hand-over per read
    or transaction, where the asyncio adapter made one per statement and ran SQLAlchemy's
    execution in greenlets on the event loop's thread. PostgreSQL (PostgresDatabase) keeps
    asyncpg and runs the function with `run_sync` on the event loop."""

    url: str
    dialect: str

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    async def read(self, query: Callable[[Connection], T]) -> T:
        """Run `query` on a reader connection (one consistent snapshot)."""
        try:
            return await self._read(query)
        except Exception as exc:
            mapped = as_store_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    @abstractmethod
    async def write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction, committed when it returns, rolled back when it
        raises (errors as they are: the group-commit writer maps them)."""

    @abstractmethod
    async def _read(self, query: Callable[[Connection], T]) -> T: ...

    @abstractmethod
    async def dispose(self) -> None: ...


class SqliteDatabase(Database):
    """One writer connection on one thread (SQLite has one writer at a time; it begins
    IMMEDIATE; a serving gateway runs its group commits in store/writer_process.py instead,
    through the same `write_here`), and reader connections on a pool of threads (WAL lets them
    read while it writes). A caller cancelled while its function runs leaves the function to finish and
    return its connection, as a cancelled database call must not leave one half-used.

    Each thread keeps its connection: a checkout from SQLAlchemy's pool and its return cost
    about 130 us of CPU per transaction here, as much as a small batch's statements."""

    def __init__(self, url: str, path: str, readers: int = 4) -> None:
        self.url = url
        self.dialect = "sqlite"
        # IMMEDIATE: the write lock is taken at BEGIN, so a transaction never fails midway to
        # upgrade its read lock.
        self.writer = _sqlite_engine(path, "BEGIN IMMEDIATE")
        self.reader = _sqlite_engine(path, "BEGIN", pool_size=readers)
        self._write_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._read_threads = ThreadPoolExecutor(readers, thread_name_prefix="sqlite-reader")
        self._thread = threading.local()
        self._opened: list[Connection] = []

    def _connection(self, engine: Engine) -> Connection:
        """The calling thread's connection (each thread serves one engine), opened on first use
        and again after an error invalidated it."""
        conn: Connection | None = getattr(self._thread, "conn", None)
        if conn is None or conn.invalidated or conn.closed:
            conn = self._thread.conn = engine.connect()
            self._opened.append(conn)
        return conn

    async def write(self, work: Callable[[Connection], T]) -> T:
        return await asyncio.wrap_future(self._write_thread.submit(self.write_here, work))

    def write_here(self, work: Callable[[Connection], T]) -> T:
        """`write` on the calling thread: the writer thread, or the SQLite writer process."""
        conn = self._connection(self.writer)
        with conn.begin():
            return work(conn)

    async def _read(self, query: Callable[[Connection], T]) -> T:
        def run() -> T:
            conn = self._connection(self.reader)
            try:
                return query(conn)
            finally:
                # Ends the read transaction: an open snapshot keeps the WAL from being checkpointed.
                conn.rollback()

        return await asyncio.wrap_future(self._read_threads.submit(run))

    async def dispose(self) -> None:
        for threads in (self._write_thread, self._read_threads):
            await asyncio.to_thread(threads.shutdown)
        # The threads are gone: their connections close here (check_same_thread is off).
        for conn in self._opened:
            conn.close()
        self.writer.dispose()
        self.reader.dispose()


class PostgresDatabase(Database):
    """asyncpg through SQLAlchemy's asyncio engine; one pool serves reads and writes.

    Writes take turns on one kept connection, as SQLite's do on its writer thread (the
    group-commit writer runs one transaction at a time anyway): a checkout from the pool and
    its return cost about a third of an empty write transaction's CPU here."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.dialect = "postgresql"
        # No pre-ping (a round trip per checkout): a statement on a dropped connection fails as
        # STORE_UNAVAILABLE, which clients retry, and SQLAlchemy then invalidates the pool.
        self.engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
        self._write_turn = asyncio.Lock()
        self._write_conn: AsyncConnection | None = None

    async def write(self, work: Callable[[Connection], T]) -> T:
        async with self._write_turn:
            conn = self._write_conn
            if conn is None or conn.invalidated or conn.closed:
                # Opened on first use, and again after an error invalidated it.
                conn = self._write_conn = await self.engine.connect()
            async with conn.begin():
                return await conn.run_sync(work)

    async def _read(self, query: Callable[[Connection], T]) -> T:
        """Shielded from the caller's cancellation: a gRPC handler is cancelled when its
        client goes away, and a connection cancelled mid-call may not return to the pool."""

        async def run() -> T:
            async with self.engine.connect() as conn:
                return await conn.run_sync(query)

        return await asyncio.shield(run())

    async def dispose(self) -> None:
        if self._write_conn is not None:
            await self._write_conn.close()
        await self.engine.dispose()


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
    *leading, last = columns
    return or_(*(and_(*(column == value for column, value in zip(leading, prefix, strict=True)), last.in_(values))
                 for prefix, values in group_keys(keys).items()))


def group_keys(keys: Iterable[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[Any]]:
    """Composite keys by all but their last column: {leading columns: [last columns]}."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for key in keys:
        groups.setdefault(key[:-1], []).append(key[-1])
    return groups


def dialect_insert(conn: Connection) -> Callable[[Table], Insert]:
    """The dialect's INSERT, which has ON CONFLICT (both PostgreSQL and SQLite do)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert  # type: ignore[return-value]


def connect(url: str, pool_size: int = 10) -> Database:
    """SQLite for sqlite:// URLs (a file path; :memory: gives each connection its own
    database), PostgreSQL (asyncpg) for postgresql:// ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ":memory:"
        if path != ":memory:":
            Path(os.path.dirname(os.path.abspath(path))).mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(url, path)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return PostgresDatabase(parsed.render_as_string(hide_password=False), pool_size)


def _sqlite_engine(path: str, begin: str, pool_size: int = 1) -> Engine:
    """An engine for the SQLite file `path` whose transactions start with `begin`."""
    engine = create_engine(f"sqlite:///{path}", pool_size=pool_size, max_overflow=0, poolclass=QueuePool,
                           connect_args={"check_same_thread": False})
    _sqlite_pragmas(engine, begin)
    return engine


def _sqlite_pragmas(engine: Engine, begin: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's begin event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # On the DBAPI cursor: BEGIN needs none of a statement's result handling.
        cursor = conn.connection.cursor()
        cursor.execute(begin)
        cursor.close()
