"""Adapters by name, and one live adapter per identity (rebuilt when the identity changes)."""

from __future__ import annotations

from omnirelay.channels.base import Adapter, AdapterContext, AdapterSpec
from omnirelay.domain.validation import AdapterRequirements
from omnirelay.store.directory import IdentityRecord


class AdapterRegistry:
    def __init__(self, specs: dict[str, AdapterSpec], context: AdapterContext) -> None:
        self.specs = specs
        self._context = context
        self._live: dict[tuple[str, str], tuple[int, Adapter]] = {}

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.specs)

    @property
    def exclusive_names(self) -> frozenset[str]:
        """Adapters whose identities one replica at a time may serve (AdapterSpec.exclusive)."""
        return frozenset(name for name, spec in self.specs.items() if spec.exclusive)

    @property
    def requirements(self) -> dict[str, AdapterRequirements]:
        return {name: spec.requirements for name, spec in self.specs.items()}

    async def adapter_for(self, identity: IdentityRecord) -> Adapter:
        key = (identity.account_id, identity.id)
        live = self._live.get(key)
        if live is not None and live[0] == identity.update_time:
            return live[1]
        if live is not None:
            await live[1].close()
        adapter = self.specs[identity.adapter].factory(identity, self._context)
        self._live[key] = (identity.update_time, adapter)
        return adapter

    async def close_adapter(self, key: tuple[str, str]) -> None:
        """Close the live adapter of identity (account, id), if any (its connection lease was lost)."""
        live = self._live.pop(key, None)
        if live is not None:
            await live[1].close()

    async def close(self) -> None:
        for _, adapter in self._live.values():
            await adapter.close()
        self._live.clear()
