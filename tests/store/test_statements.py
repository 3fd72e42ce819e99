"""The statements fast path (store/statements.py) on SQLite and PostgreSQL: its writes belong to
the transaction they run in, IN lists of any size find their rows, and a connection lost under
it is STORE_UNAVAILABLE like one lost under SQLAlchemy, the next write working again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, Table, bindparam, func, insert, select, text

from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.store import database, statements

T = Table("t", MetaData(), Column("n", Integer, primary_key=True), Column("tag", Integer, nullable=False))
INSERT_T = insert(T)
IN_LIST = select(T.c.n).where(T.c.tag == bindparam("tag"), T.c.n.in_(bindparam("ns", expanding=True))).order_by(T.c.n)
TERMINATE_MYSELF = select(func.pg_terminate_backend(func.pg_backend_pid()))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[database.Database]:
    db = database.connect(database_url)
    await db.write(lambda conn: conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, tag INTEGER NOT NULL)")))
    yield db
    await db.dispose()


async def test_fast_path_writes_belong_to_their_transaction(db: database.Database) -> None:
    def insert_then_fail(conn: Connection) -> None:
        # The transaction's first statement goes through the fast path, not SQLAlchemy.
        statements.run(conn, INSERT_T, [{"n": 1, "tag": 0}, {"n": 2, "tag": 0}])
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await db.write(insert_then_fail)
    await db.write(lambda conn: statements.run(conn, INSERT_T, [{"n": 3, "tag": 0}]))
    assert await db.read(lambda conn: conn.execute(text("SELECT n FROM t")).scalars().all()) == [3]


async def test_in_lists_of_any_size_find_their_rows(db: database.Database) -> None:
    await db.write(lambda conn: statements.run(conn, INSERT_T, [{"n": n, "tag": n % 2} for n in range(10)]))
    for ns, found in (([5], [5]), ([1, 2, 3, 5], [1, 3, 5]), (list(range(10)), [1, 3, 5, 7, 9]), ([42], [])):
        rows = await db.read(lambda conn, ns=ns: statements.run(conn, IN_LIST, {"tag": 1, "ns": ns}))
        assert [r["n"] for r in rows] == found, ns


async def test_a_connection_lost_under_the_fast_path_is_store_unavailable(db: database.Database) -> None:
    if not db.is_postgres:
        pytest.skip("a PostgreSQL backend can be terminated; SQLite has no connection to lose")
    with pytest.raises(Exception) as raised:
        await db.write(lambda conn: statements.run(conn, TERMINATE_MYSELF))
    error = database.as_store_error(raised.value)
    assert isinstance(error, GatewayError) and error.reason is Reason.STORE_UNAVAILABLE, raised.value
    # The dead connection was invalidated, not handed out again.
    await db.write(lambda conn: statements.run(conn, INSERT_T, [{"n": 1, "tag": 0}]))
    assert await db.read(lambda conn: statements.run(conn, select(T.c.n))) == [{"n": 1}]
