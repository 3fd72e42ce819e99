"""What the servicers share, built once by the composition root (omnirelay.app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from omnirelay.api.auth import Authenticator
from omnirelay.api.media import MediaProbe
from omnirelay.channels.registry import AdapterRegistry
from omnirelay.domain import status as st
from omnirelay.domain.capabilities import DEFAULT_SMS_MAX_SEGMENTS
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
    # MMS media sizes by HEAD when the request does not give them.
    media: MediaProbe
    sms_max_segments: int = DEFAULT_SMS_MAX_SEGMENTS
    sending: SendSettings = SendSettings()
    clock: Clock = now_us
    # Called after an identity is created, updated or deleted on this replica.
    identity_changed: Callable[[], None] = lambda: None
    # The webhook URL of (account, identity), or None when the webhook server is off.
    webhook_url: Callable[[str, str], str] | None = None
