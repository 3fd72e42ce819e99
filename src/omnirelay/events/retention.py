"""Background housekeeping: purges events older than the retention age (in batches, moving the
hub's watermark), and settles parked status reports."""

from __future__ import annotations

import asyncio

import structlog

from omnirelay.domain.clock import now_us
from omnirelay.events.hub import EventHub
from omnirelay.store.eventlog import PurgeEvents
from omnirelay.store.messages import SweepParkedReports
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.waiting import wake_or_timeout

log = structlog.get_logger(__name__)

PURGE_BATCH = 5000


class RetentionSweeper:
    def __init__(self, writer: GroupCommitWriter, hub: EventHub, retention_seconds: float, sweep_seconds: float, parked_report_seconds: float) -> None:
        self._writer = writer
        self._hub = hub
        self._retention_us = int(retention_seconds * 1e6)
        self._parked_report_us = int(parked_report_seconds * 1e6)
        self._sweep_seconds = sweep_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention-sweeper")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def sweep(self) -> int:
        """Purge until nothing older than the retention age is left; returns the watermark."""
        while True:
            before = self._hub.purged_through
            through = await self._writer.submit(PurgeEvents(now_us() - self._retention_us, PURGE_BATCH))
            self._hub.purged_through = max(self._hub.purged_through, through)
            if through == before:
                return through
            log.info("events_purged", through=through)

    async def settle_parked_reports(self) -> None:
        applied, dropped = await self._writer.submit(SweepParkedReports(now_us(), self._parked_report_us))
        if applied or dropped:
            log.info("parked_reports_settled", applied=applied, dropped_unmatched=dropped)

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.sweep()
                await self.settle_parked_reports()
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("housekeeping_failed")
            await wake_or_timeout(self._stop, self._sweep_seconds)
