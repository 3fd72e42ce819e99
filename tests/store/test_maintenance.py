"""PostgreSQL without autovacuum: the gateway analyzes its busy tables itself, so a lookup by
provider id stays an index search as provider_refs grows from empty."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text

from omnirelay.store import database, migrate
from omnirelay.store.database import matching_keys
from omnirelay.store.maintenance import TableMaintenance
from omnirelay.store.schema import provider_refs

REF = (provider_refs.c.account_id, provider_refs.c.identity_id, provider_refs.c.provider_message_id)


@pytest.fixture
async def pg(database_url: str) -> AsyncIterator[database.PostgresDatabase]:
    if not database_url.startswith("postgresql"):
        pytest.skip("table maintenance is PostgreSQL's")
    db = database.connect(database_url)
    await migrate.upgrade(db)
    yield db
    await db.dispose()


async def lookup_plan(db: database.PostgresDatabase) -> str:
    query = select(provider_refs).where(matching_keys(REF, [("acct", "sms", "p1"), ("acct", "sms", "p2")]))
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    rows = await db.read(lambda conn: conn.execute(text(f"EXPLAIN {compiled}")).all())
    return "\n".join(row[0] for row in rows)


async def test_a_grown_table_is_analyzed_and_lookups_search_the_whole_key(pg: database.PostgresDatabase) -> None:
    await pg.write(lambda conn: conn.execute(provider_refs.insert(), [
        {"account_id": "acct", "identity_id": "sms", "provider_message_id": f"p{i}", "message_id": f"m{i}", "status": None}
        for i in range(3000)
    ]))
    maintenance = TableMaintenance(pg)
    done: list[str] = []
    for _ in range(50):
        # The writer's connection reports the insert to pg_stat_user_tables when one of its
        # transactions ends a second or more later (idle, only after 10 s): write, as a busy
        # gateway does.
        await pg.write(lambda conn: conn.execute(text("SELECT 1")))
        done = await maintenance.run_once()
        if done:
            break
        await asyncio.sleep(0.1)
    assert 'ANALYZE "provider_refs"' in done
    plan = await lookup_plan(pg)
    index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert index_conditions and all("provider_message_id" in line for line in index_conditions), plan
    assert await maintenance.run_once() == []  # nothing is due any more
