"""What the servicers share, built once by the composition root (omnirelay.app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from omnirelay.api.auth import Authenticator
from omnirelay.api.media import MediaProbe
from omnirelay.channels.registry import AdapterRegistry
from omnirelay.domain.capabilities import DEFAULT_SMS_MAX_SEGMENTS
from omnirelay.events.hub import EventHub
from omnirelay.store.database import Database
from omnirelay.store.directory import IdentityDirectory
from omnirelay.store.writer import GroupCommitWriter


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
    adapters: AdapterRegistry
    streams: StreamSettings
    # MMS media sizes by HEAD when the request does not give them.
    media: MediaProbe
    sms_max_segments: int = DEFAULT_SMS_MAX_SEGMENTS
    # The webhook URL of (account, identity), or None when the webhook server is off.
    webhook_url: Callable[[str, str], str] | None = None
