"""Customer service windows: the contact's last inbound message per identity (written by
InsertMessage with the inbound message, read by SendMessage, dispatch and GetSessionWindow)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import select

from omnirelay.store.database import matching_keys
from omnirelay.store.schema import session_windows

WindowKey = tuple[str, str, str]  # (account_id, identity_id, contact)


def last_inbound_times(conn: Connection, keys: Iterable[WindowKey]) -> dict[WindowKey, int]:
    wanted = list(set(keys))
    if not wanted:
        return {}
    c = session_windows.c
    found = conn.execute(
        select(c.account_id, c.identity_id, c.contact, c.last_inbound_time).where(matching_keys((c.account_id, c.identity_id, c.contact), wanted))
    )
    return {(r.account_id, r.identity_id, r.contact): r.last_inbound_time for r in found}


def record_inbound(conn: Connection, times: dict[WindowKey, int]) -> None:
    """Move each window's last inbound time forward (never back: reports arrive out of order)."""
    if not times:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(session_windows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[session_windows.c.account_id, session_windows.c.identity_id, session_windows.c.contact],
        set_={"last_inbound_time": stmt.excluded.last_inbound_time},
        where=session_windows.c.last_inbound_time < stmt.excluded.last_inbound_time,
    )
    conn.execute(
        stmt, [{"account_id": a, "identity_id": i, "contact": contact, "last_inbound_time": t} for (a, i, contact), t in times.items()]
    )
