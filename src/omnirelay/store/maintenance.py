"""Vacuum and statistics for PostgreSQL servers that run without autovacuum.

The gateway's lookups are index searches only while the planner knows how big its tables are.
With autovacuum off (seen on test and benchmark servers) a table that grew from empty keeps
the "empty" estimate, and a status report's lookup of its provider id, for one, became a scan of
every row of the identity. Where autovacuum is off, this task applies autovacuum's own rules
(PostgreSQL's defaults) to the gateway's busy tables: ANALYZE once more than 50 + 10% of the rows
changed, VACUUM once more than 50 + 20% are dead. Where autovacuum is on it does nothing.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import text

from omnirelay.store.database import PostgresDatabase
from omnirelay.store.schema import events, messages, parked_reports, provider_refs, rate_limits, session_windows
from omnirelay.waiting import wake_or_timeout

log = structlog.get_logger(__name__)

BUSY_TABLES = tuple(t.name for t in (messages, events, provider_refs, parked_reports, session_windows, rate_limits))

# PostgreSQL's autovacuum_{vacuum,analyze}_{threshold,scale_factor} defaults.
_DUE = text("""
SELECT relname, vacuum_due FROM (
    SELECT relname,
           n_dead_tup > 50 + 0.2 * n_live_tup AS vacuum_due,
           n_mod_since_analyze > 50 + 0.1 * n_live_tup AS analyze_due
    FROM pg_stat_user_tables
    WHERE schemaname = current_schema() AND relname = ANY(:tables)
) AS stats
WHERE vacuum_due OR analyze_due
""")


class TableMaintenance:
    def __init__(self, db: PostgresDatabase, check_seconds: float = 5.0) -> None:
        self._db = db
        self._check_seconds = check_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Starts the checks only where the server's autovacuum is off."""
        async with self._db.engine.connect() as conn:
            autovacuum = (await conn.execute(text("SHOW autovacuum"))).scalar_one()
        if autovacuum == "on":
            return
        log.warning("autovacuum_off", note="the gateway vacuums and analyzes its own tables")
        self._task = asyncio.create_task(self._run(), name="table-maintenance")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def run_once(self) -> list[str]:
        """VACUUM (ANALYZE) or ANALYZE the tables that are due; returns what ran."""
        async with self._db.engine.connect() as conn:
            due = (await conn.execute(_DUE, {"tables": list(BUSY_TABLES)})).all()
            await conn.rollback()
            # VACUUM cannot run in a transaction: on the driver's own connection, autocommit.
            raw = (await conn.get_raw_connection()).driver_connection
            done = []
            for table, vacuum in due:
                command = f'VACUUM (ANALYZE) "{table}"' if vacuum else f'ANALYZE "{table}"'
                await raw.execute(command)
                done.append(command)
        return done

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = await self.run_once()
                if done:
                    log.info("tables_maintained", commands=done)
            except Exception:  # noqa: BLE001 - the store may be down; try again next round
                log.exception("table_maintenance_failed")
            await wake_or_timeout(self._stop, self._check_seconds)
