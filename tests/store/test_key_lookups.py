"""Lookups by composite key are index searches on SQLite, whose row-value IN (VALUES ...) scans
the whole table: a status report looked up its provider id by reading every provider_refs row."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnElement, Table, select, tuple_
from sqlalchemy.dialects import sqlite

from omnirelay.store import database, migrate
from omnirelay.store.database import matching_keys
from omnirelay.store.schema import messages, provider_refs, session_windows

REF = (provider_refs.c.account_id, provider_refs.c.identity_id, provider_refs.c.provider_message_id)
REQUEST = (messages.c.account_id, messages.c.request_id)
WINDOW = (session_windows.c.account_id, session_windows.c.identity_id, session_windows.c.contact)


async def query_plan(db: database.Database, table: Table, where: ColumnElement[bool]) -> str:
    statement = select(table).where(where).compile(dialect=sqlite.dialect(), compile_kwargs={"render_postcompile": True})
    params = statement.construct_params()
    values = [params[name] for name in statement.positiontup or ()]

    def explain(conn: Any) -> str:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement.string}", tuple(values)).all()
        return " | ".join(row[-1] for row in rows)

    return await db.read(explain)


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> Any:
    db = database.connect(f"sqlite:///{tmp_path}/keys.db")
    await migrate.upgrade(db)
    yield db
    await db.dispose()


@pytest.mark.parametrize(
    ("table", "columns", "keys"),
    [
        (provider_refs, REF, [("acct", "sms", "p1"), ("acct", "sms", "p2")]),
        (provider_refs, REF, [("acct", "sms", "p1"), ("acct", "wa", "p2"), ("other", "sms", "p3")]),
        (messages, REQUEST, [("acct", "r1"), ("acct", "r2")]),
        (session_windows, WINDOW, [("acct", "wa", "+15550001"), ("acct", "wa", "+15550002")]),
    ],
)
async def test_matching_keys_searches_an_index(sqlite_db: database.Database, table: Table, columns: Sequence[Any], keys: list[tuple[str, ...]]) -> None:
    plan = await query_plan(sqlite_db, table, matching_keys(columns, keys))
    assert "SCAN" not in plan and "USING INDEX" in plan, plan


async def test_the_row_value_in_it_replaces_scans(sqlite_db: database.Database) -> None:
    """The reason for matching_keys: if SQLite learns to search this, the helper can go."""
    plan = await query_plan(sqlite_db, provider_refs, tuple_(*REF).in_([("acct", "sms", "p1"), ("acct", "sms", "p2")]))
    assert "SCAN provider_refs" in plan, plan


async def test_matching_keys_finds_exactly_the_keys(sqlite_db: database.Database) -> None:
    await sqlite_db.write(lambda conn: conn.execute(provider_refs.insert(), [
        {"account_id": a, "identity_id": i, "provider_message_id": p, "message_id": f"m-{a}-{i}-{p}", "status": None}
        for a in ("acct", "other") for i in ("sms", "wa") for p in ("p1", "p2", "p3")
    ]))
    wanted = [("acct", "sms", "p1"), ("acct", "sms", "p3"), ("other", "wa", "p2")]

    def found(conn: Any) -> set[tuple[str, str, str]]:
        rows = conn.execute(select(*REF).where(matching_keys(REF, wanted)))
        return {tuple(r) for r in rows}

    assert await sqlite_db.read(found) == set(wanted)
