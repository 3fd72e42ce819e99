"""Purges events older than the retention age, in batches, and moves the hub's watermark."""

from __future__ import annotations

import asyncio

import structlog

from omnirelay.domain.clock import now_us
from omnirelay.events.hub import EventHub
from omnirelay.store.eventlog import PurgeEvents
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.waiting import wake_or_timeout

log = structlog.get_logger(__name__)

PURGE_BATCH = 5000


class RetentionSweeper:
    def __init__(self, writer: GroupCommitWriter, hub: EventHub, retention_seconds: float, sweep_seconds: float) -> None:
        self._writer = writer
        self._hub = hub
        self._retention_us = int(retention_seconds * 1e6)
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

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("event_purge_failed")
            await wake_or_timeout(self._stop, self._sweep_seconds)
