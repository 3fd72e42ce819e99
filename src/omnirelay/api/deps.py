"""What the servicers share, built once by the composition root (omnirelay.app)."""

from __future__ import annotations

from dataclasses import dataclass

from omnirelay.api.auth import Authenticator
from omnirelay.channels.registry import AdapterRegistry
from omnirelay.domain import status as st
from omnirelay.domain.clock import Clock, now_us
from omnirelay.events.hub import EventHub
from omnirelay.store.database import Database
from omnirelay.store.directory import IdentityDirectory
from omnirelay.store.writer import GroupCommitWriter


@dataclass(frozen=True)
class StreamSettings:
    checkpoint_seconds: float = 15.0
    max_streams_per_account: int = 100


@dataclass(frozen=True)
class SendSettings:
    """Session windows and the fallback defaults a message gets when it does not set its own."""

    session_window_us: int = 24 * 3600 * 1_000_000
    fallback_timeout_us: int = 300 * 1_000_000
    fallback_success_status: int = st.DELIVERED


@dataclass
class Deps:
    db: Database
    writer: GroupCommitWriter
    hub: EventHub
    auth: Authenticator
    identities: IdentityDirectory
    adapters: AdapterRegistry
    streams: StreamSettings
    sending: SendSettings = SendSettings()
    clock: Clock = now_us
