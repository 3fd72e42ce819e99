"""aiosqlite with fewer trips to its thread.

aiosqlite runs every call on the connection's own thread, and each trip costs a queue hand-off,
a thread wake-up and a loop wake-up (about 40 us of CPU here). SQLAlchemy's adapter makes four
trips per statement: create the cursor, execute, fetch the rows, close the cursor. Here a
statement is one trip: cursors are created and closed on the caller's thread (plain Python
objects; SQLite serializes the connection itself), and a statement that returns rows fetches
them in the same trip as it executes. Results are read whole anyway (SQLAlchemy's buffered
cursors, and the gateway's queries are bounded), so nothing is held longer than before.

Relies on aiosqlite's Connection._execute and Cursor internals: aiosqlite is pinned.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager


def _execute_and_fetch(cursor: sqlite3.Cursor, sql: str, parameters: Iterable[Any]) -> list[Any] | None:
    cursor.execute(sql, parameters)
    return cursor.fetchall() if cursor.description else None


class PrefetchingCursor(aiosqlite.Cursor):
    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: deque[Any] = deque()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> PrefetchingCursor:
        rows = await self._execute(_execute_and_fetch, self._cursor, sql, [] if parameters is None else parameters)
        self._rows = deque(rows or ())
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(len(self._rows), self._cursor.arraysize if size is None else size)
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()
        self._cursor.close()


class Connection(aiosqlite.Connection):
    @contextmanager  # awaitable and an async context manager, as aiosqlite's
    async def cursor(self) -> PrefetchingCursor:  # type: ignore[override]
        return PrefetchingCursor(self, self._conn.cursor())


def connect(path: str) -> Connection:
    """Like aiosqlite.connect; the sqlite3 connection may be used from the caller's thread."""
    return Connection(partial(sqlite3.connect, path, check_same_thread=False), iter_chunk_size=64)
