"""What the servicers share, built once by the composition root (omnirelay.app)."""

from __future__ import annotations

from dataclasses import dataclass

from omnirelay.api.auth import Authenticator
from omnirelay.api.cache import TtlCache
from omnirelay.events.hub import EventHub
from omnirelay.store import directory
from omnirelay.store.database import Database
from omnirelay.store.directory import IdentityRecord
from omnirelay.store.writer import GroupCommitWriter


class IdentityDirectory:
    """Identity records for the send path, cached briefly; local updates invalidate at once."""

    def __init__(self, db: Database, cache_seconds: float) -> None:
        self._db = db
        self._cache: TtlCache[tuple[str, str], IdentityRecord] = TtlCache(cache_seconds)

    async def get(self, account_id: str, identity_id: str) -> IdentityRecord:
        key = (account_id, identity_id)
        record = self._cache.get(key)
        if record is None:
            record = directory.to_record(await self._db.read(lambda conn: directory.identity_row(conn, account_id, identity_id)))
            self._cache.put(key, record)
        return record

    def forget(self, account_id: str, identity_id: str) -> None:
        self._cache.forget((account_id, identity_id))


@dataclass(frozen=True)
class StreamSettings:
    checkpoint_seconds: float = 15.0
    max_streams_per_account: int = 100


@dataclass
class Deps:
    db: Database
    writer: GroupCommitWriter
    hub: EventHub
    auth: Authenticator
    identities: IdentityDirectory
    adapter_names: frozenset[str]
    streams: StreamSettings
