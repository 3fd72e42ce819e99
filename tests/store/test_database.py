"""The store runs whole transactions and reads off the event loop on SQLite: one hand-over to
the writer's thread per group-commit batch, none per statement."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, Table, bindparam, insert, select, text, update

from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.store import database, statements
from omnirelay.store.writer import GroupCommitWriter, run_operations

T = Table("t", MetaData(), Column("n", Integer, primary_key=True))
INSERT_T = insert(T)
SELECT_T = select(T)


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[database.Database]:
    db = database.connect(f"sqlite:///{tmp_path}/store.db")
    await db.write(lambda conn: conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)")))
    yield db
    await db.dispose()


async def test_a_batch_runs_in_one_transaction_on_the_writer_thread(sqlite_db: database.Database) -> None:
    writer = GroupCommitWriter(sqlite_db)
    seen: list[int] = []

    def insert(n: int):  # type: ignore[no-untyped-def]
        def operation(conn: Connection) -> int:
            conn.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            seen.append(threading.get_ident())
            return n

        return operation

    writer.start()
    try:
        assert await asyncio.gather(*(writer.submit(insert(n)) for n in range(20))) == list(range(20))
    finally:
        await writer.stop()
    threads = set(seen)
    assert threading.get_ident() not in threads and len(threads) == 1
    # Submitted together, they share a transaction (the first may commit alone).
    assert writer.operations == 20 and writer.batches <= 2
    assert await sqlite_db.read(lambda conn: conn.execute(text("SELECT count(*) FROM t")).scalar_one()) == 20


async def test_a_failed_write_rolls_back_and_reads_map_a_lost_store(sqlite_db: database.Database, tmp_path: Path) -> None:
    def half_then_fail(conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (n) VALUES (1)"))
        # The fast path's cursor writes in the same transaction.
        statements.run(conn, INSERT_T, [{"n": 2}, {"n": 3}])
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await sqlite_db.write(half_then_fail)
    await sqlite_db.write(lambda conn: statements.run(conn, INSERT_T, [{"n": 4}]))
    assert await sqlite_db.read(lambda conn: statements.run(conn, SELECT_T)) == [{"n": 4}]
    await sqlite_db.write(lambda conn: conn.execute(text("DELETE FROM t")))
    assert await sqlite_db.read(lambda conn: conn.execute(text("SELECT count(*) FROM t")).scalar_one()) == 0
    # A database file that cannot be opened is STORE_UNAVAILABLE, which clients retry.
    (tmp_path / "dir").mkdir()
    unreachable = database.connect(f"sqlite:///{tmp_path}/dir")
    try:
        with pytest.raises(GatewayError) as raised:
            await unreachable.read(lambda conn: conn.execute(text("SELECT 1")).scalar_one())
        assert raised.value.reason is Reason.STORE_UNAVAILABLE
    finally:
        await unreachable.dispose()


async def test_threads_keep_their_connections_and_reads_leave_no_snapshot_open(sqlite_db: database.Database, tmp_path: Path) -> None:
    def connection_id(conn: Connection) -> int:
        return id(conn.connection.driver_connection)

    writes = {await sqlite_db.write(connection_id) for _ in range(5)}
    assert len(writes) == 1  # one writer thread, one connection kept across transactions
    for n in range(1, 4):
        await sqlite_db.write(lambda conn, n=n: conn.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n}))
        # Read through SQLAlchemy (which begins a read transaction) on every reader thread.
        counts = await asyncio.gather(*(sqlite_db.read(lambda conn: conn.execute(text("SELECT count(*) FROM t")).scalar_one()) for _ in range(8)))
        assert counts == [n] * 8
    # A snapshot a read left open would keep a checkpoint from emptying the WAL (busy = 1).
    with closing(sqlite3.connect(tmp_path / "store.db")) as other:
        assert other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0


async def test_the_fast_path_expands_in_lists_and_keeps_values_built_into_a_statement(sqlite_db: database.Database) -> None:
    in_list = select(T).where(T.c.n.in_(bindparam("ns", expanding=True)), T.c.n > bindparam("low")).order_by(T.c.n)
    bump = update(T).where(T.c.n == bindparam("b_n")).values(n=T.c.n + 100)  # the 100 is built in
    await sqlite_db.write(lambda conn: statements.run(conn, INSERT_T, [{"n": n} for n in range(10)]))
    for ns in ([1, 2, 3], [5], [0, 9, 4, 7]):  # one compiled form, any list length
        rows = await sqlite_db.read(lambda conn, ns=ns: statements.run(conn, in_list, {"ns": ns, "low": 2}))
        assert rows == [{"n": n} for n in sorted(ns) if n > 2]
    await sqlite_db.write(lambda conn: statements.run(conn, bump, [{"b_n": 1}, {"b_n": 2}]))
    assert await sqlite_db.read(lambda conn: statements.run(conn, in_list, {"ns": [0, 1, 2, 101, 102], "low": -1})) == [
        {"n": 0}, {"n": 101}, {"n": 102}]


class _Batched:
    """An operation class with run_batch: records each run's members."""

    runs: list[list[str]] = []

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def run_batch(cls, _conn: object, ops: list[_Batched]) -> list[str]:
        cls.runs.append([op.name for op in ops])
        return [f"{op.name} done" for op in ops]


class _OtherBatched(_Batched):
    runs: list[list[str]] = []


def test_a_batch_runs_each_class_once_in_order_of_first_arrival() -> None:
    _Batched.runs.clear()
    _OtherBatched.runs.clear()
    order: list[str] = []

    def plain(name: str):  # type: ignore[no-untyped-def]
        def operation(_conn: object) -> str:
            order.append(name)
            return name

        return operation

    a1, b1, a2, b2, a3 = _Batched("a1"), _OtherBatched("b1"), _Batched("a2"), _OtherBatched("b2"), _Batched("a3")
    operations = [plain("f1"), a1, b1, a2, plain("f2"), b2, a3]
    results = run_operations(None, operations)  # type: ignore[arg-type]
    # Arrivals interleave the classes; each runs once, with its members in arrival order.
    assert _Batched.runs == [["a1", "a2", "a3"]] and _OtherBatched.runs == [["b1", "b2"]]
    assert order == ["f1", "f2"]
    # Each caller gets its own operation's result.
    assert results == ["f1", "a1 done", "b1 done", "a2 done", "f2", "b2 done", "a3 done"]
