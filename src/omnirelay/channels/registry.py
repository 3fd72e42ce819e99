"""Adapters by name, and one live adapter per identity (rebuilt when the identity changes)."""

from __future__ import annotations

from omnirelay.channels.base import Adapter, AdapterFactory, ReportSink
from omnirelay.store.directory import IdentityRecord


class AdapterRegistry:
    def __init__(self, factories: dict[str, AdapterFactory], reports: ReportSink) -> None:
        self._factories = factories
        self._reports = reports
        self._live: dict[tuple[str, str], tuple[int, Adapter]] = {}

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._factories)

    async def adapter_for(self, identity: IdentityRecord) -> Adapter:
        key = (identity.account_id, identity.id)
        live = self._live.get(key)
        if live is not None and live[0] == identity.update_time:
            return live[1]
        if live is not None:
            await live[1].close()
        adapter = self._factories[identity.adapter](identity, self._reports)
        self._live[key] = (identity.update_time, adapter)
        return adapter

    async def close(self) -> None:
        for _, adapter in self._live.values():
            await adapter.close()
        self._live.clear()
