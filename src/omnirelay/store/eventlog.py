"""Event log housekeeping: the log head, and retention with its purge watermark."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, update

from omnirelay.store import statements
from omnirelay.store.schema import event_log_state, events

_HEAD = select(func.coalesce(func.max(events.c.seq), 0).label("head"))


def head_sequence(conn: Connection) -> int:
    return statements.run(conn, _HEAD)[0]["head"]


def purged_through(conn: Connection) -> int:
    return (conn.execute(select(event_log_state.c.purged_through))).scalar_one()


@dataclass
class PurgeEvents:
    """Delete up to `limit` of the oldest events older than `cutoff_us`; returns the watermark.

    Deletes by sequence, never leaving a hole below the watermark, so "older than the
    watermark" is exactly "purged"."""

    cutoff_us: int
    limit: int

    def __call__(self, conn: Connection) -> int:
        current = purged_through(conn)
        oldest = select(events.c.seq, events.c.event_time).where(events.c.seq > current).order_by(events.c.seq).limit(self.limit).subquery()
        through = (conn.execute(select(func.max(oldest.c.seq)).where(oldest.c.event_time < self.cutoff_us))).scalar()
        if through is None:
            return current
        conn.execute(delete(events).where(events.c.seq <= through))
        conn.execute(update(event_log_state).values(purged_through=through))
        return through
