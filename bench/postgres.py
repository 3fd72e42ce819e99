"""A fresh PostgreSQL database per run, created and dropped with asyncpg."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.engine import make_url

CONNECT_TIMEOUT_S = 5.0


def _maintenance_dsn(server_url: str) -> str:
    """The server's `postgres` database, as a plain libpq URL asyncpg accepts."""
    url = make_url(server_url).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


async def _execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def unreachable_reason(server_url: str) -> str | None:
    """Why the server cannot be used, or None when it answers."""
    if not server_url:
        return "no --postgres-url given"
    try:
        asyncio.run(_execute(_maintenance_dsn(server_url), "SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL
        return f"{type(error).__name__}: {error}"
    return None


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Yield the URL of a new, empty database on the server; drop it afterwards."""
    name = f"omnirelay_bench_{uuid.uuid4().hex[:12]}"
    dsn = _maintenance_dsn(server_url)
    asyncio.run(_execute(dsn, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_execute(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
