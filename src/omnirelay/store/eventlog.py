"""Event log housekeeping: the log head, and retention with its purge watermark."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from omnirelay.store.schema import event_log_state, events


async def head_sequence(conn: AsyncConnection) -> int:
    return (await conn.execute(select(func.coalesce(func.max(events.c.seq), 0)))).scalar_one()


async def purged_through(conn: AsyncConnection) -> int:
    return (await conn.execute(select(event_log_state.c.purged_through))).scalar_one()


@dataclass
class PurgeEvents:
    """Delete up to `limit` of the oldest events older than `cutoff_us`; returns the watermark.

    Deletes by sequence, never leaving a hole below the watermark, so "older than the
    watermark" is exactly "purged"."""

    cutoff_us: int
    limit: int

    async def __call__(self, conn: AsyncConnection) -> int:
        current = await purged_through(conn)
        oldest = select(events.c.seq, events.c.event_time).where(events.c.seq > current).order_by(events.c.seq).limit(self.limit).subquery()
        through = (await conn.execute(select(func.max(oldest.c.seq)).where(oldest.c.event_time < self.cutoff_us))).scalar()
        if through is None:
            return current
        await conn.execute(delete(events).where(events.c.seq <= through))
        await conn.execute(update(event_log_state).values(purged_through=through))
        return through
