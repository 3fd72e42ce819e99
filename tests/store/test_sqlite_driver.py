"""The SQLite driver: one trip to the connection's thread per statement, same results as aiosqlite."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from omnirelay.store import database, sqlite_driver


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the calls run on connections' threads, by function name."""
    counted: Counter[str] = Counter()
    execute = sqlite_driver.Connection._execute

    async def counting(self: sqlite_driver.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(fn, "__name__", "?")] += 1
        return await execute(self, fn, *args, **kwargs)

    monkeypatch.setattr(sqlite_driver.Connection, "_execute", counting)
    return counted


async def test_a_statement_is_one_trip_and_rows_come_back_whole(tmp_path: Path, trips: Counter[str]) -> None:
    db = database.connect(f"sqlite:///{tmp_path}/driver.db")
    try:
        async with db.writer.begin() as conn:
            await conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, word TEXT)"))
            await conn.execute(text("INSERT INTO t (n, word) VALUES (:n, :word)"), [{"n": i, "word": f"w{i}"} for i in range(200)])
        trips.clear()
        async with db.writer.begin() as conn:
            rows = (await conn.execute(text("SELECT n, word FROM t WHERE n >= :low ORDER BY n"), {"low": 10})).all()
            await conn.execute(text("UPDATE t SET word = 'x' WHERE n = 0"))
        assert [tuple(r) for r in rows] == [(i, f"w{i}") for i in range(10, 200)]
        # The SELECT and the UPDATE, and the transaction's BEGIN IMMEDIATE: one trip each;
        # then the COMMIT. No cursor, fetch or close trips.
        assert trips == Counter({"_execute_and_fetch": 3, "commit": 1})
        read = await db.read(lambda conn: conn.execute(text("SELECT word FROM t WHERE n = 0")))
        assert read.scalar_one() == "x"
    finally:
        await db.dispose()


async def test_partial_fetches_serve_the_prefetched_rows_in_order(tmp_path: Path) -> None:
    conn = await sqlite_driver.connect(str(tmp_path / "raw.db"))
    try:
        await conn.execute("CREATE TABLE t (n INTEGER)")
        await conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(5)])
        async with conn.cursor() as cursor:
            await cursor.execute("SELECT n FROM t ORDER BY n")
            assert await cursor.fetchone() == (0,)
            assert await cursor.fetchmany(2) == [(1,), (2,)]
            assert await cursor.fetchall() == [(3,), (4,)]
            assert await cursor.fetchone() is None
            await cursor.execute("DELETE FROM t WHERE n > 2")
            assert cursor.rowcount == 2
            assert await cursor.fetchall() == []
    finally:
        await conn.close()
