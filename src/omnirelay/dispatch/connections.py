"""Exclusive connections (AdapterSpec.exclusive, e.g. an SMPP bind, which an SMSC allows once):
each identity such an adapter serves is held by one replica at a time through a lease in the
database (store/leases.py). The holder renews its leases every third of their length, opens the
identities' connections, and alone claims their messages (store/messages.py ClaimDue). A replica
that dies stops renewing; another takes its identities over once the leases run out. One that
stops cleanly releases them, so the takeover is immediate. A replica takes every free lease it
finds: the first one up serves all exclusive identities until it goes away."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from omnirelay.channels.registry import AdapterRegistry
from omnirelay.domain.clock import now_us
from omnirelay.store.database import Database
from omnirelay.store.directory import IdentityDirectory
from omnirelay.store.leases import AcquireLeases, IdentityKey, ReleaseLeases, exclusive_identities
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.waiting import wake_or_timeout

log = structlog.get_logger(__name__)


class ConnectionOwner:
    def __init__(
        self, db: Database, writer: GroupCommitWriter, directory: IdentityDirectory, adapters: AdapterRegistry,
        owner: str, lease_seconds: float, on_acquired: Callable[[], None],
    ) -> None:
        self._db = db
        self._writer = writer
        self._directory = directory
        self._adapters = adapters
        self.owner = owner
        self._lease_seconds = lease_seconds
        self._on_acquired = on_acquired
        self.held: set[IdentityKey] = set()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        """Identities changed here: look for leases to take now, not at the next renewal."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="connection-owner")

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            await self._task
        try:
            await self._writer.submit(ReleaseLeases(self.owner))
        except Exception:  # noqa: BLE001 - the leases run out by themselves
            log.exception("connection_leases_not_released")
        for key in self.held:
            await self._adapters.close_adapter(key)
        self.held = set()

    async def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                await self.renew()
            except Exception:  # noqa: BLE001 - the store may be down: try again; unrenewed leases run out
                log.exception("connection_lease_renewal_failed")
            await wake_or_timeout(self._wake, self._lease_seconds / 3)

    async def renew(self) -> None:
        names = self._adapters.exclusive_names
        keys = await self._db.read(lambda conn: exclusive_identities(conn, names))
        held = await self._writer.submit(AcquireLeases(self.owner, keys, now_us(), int(self._lease_seconds * 1e6)))
        for key in self.held - held:
            log.warning("connection_lease_lost", account=key[0], identity=key[1])
            await self._adapters.close_adapter(key)
        gained = held - self.held
        self.held = held
        for key in gained:
            log.info("connection_lease_acquired", account=key[0], identity=key[1])
            # Open the connection now: an SMPP bind also receives, whether or not we send.
            await self._adapters.adapter_for(await self._directory.get(*key))
        if gained:
            self._on_acquired()
