"""The adapter interface every channel implements (ARCHITECTURE.md, "Channels")."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import MessageError
from omnirelay.v1.content_pb2 import Content
from omnirelay.v1.messaging_pb2 import Message


class ErrorClass(enum.Enum):
    """How the dispatcher treats a failed send."""

    THROTTLED = "throttled"  # slow down, retry after retry_after
    TRANSIENT = "transient"  # retry with backoff
    PERMANENT = "permanent"  # fail the message
    BAD_RECIPIENT = "bad_recipient"  # fail the message: the address cannot receive
    AUTH = "auth"  # fail the message: the identity's credentials are refused

    @property
    def retryable(self) -> bool:
        return self in (ErrorClass.THROTTLED, ErrorClass.TRANSIENT)


@dataclass
class SendError(Exception):
    error_class: ErrorClass
    description: str
    provider_code: str = ""
    retry_after: float | None = None


@dataclass(frozen=True)
class SendResult:
    provider_message_ids: list[str]


@dataclass(frozen=True)
class OutboundMessage:
    """What an adapter needs to send: the stored message and the attempt number (from 1)."""

    id: str
    message: Message
    attempt: int


@dataclass(frozen=True)
class StatusReport:
    """A provider's word on an outbound message, found by its provider id."""

    account_id: str
    identity_id: str
    provider_message_id: str
    status: int
    provider_code: str = ""
    error: MessageError | None = None


@dataclass(frozen=True)
class InboundReport:
    """A customer's message, as an adapter parsed it."""

    account_id: str
    identity_id: str
    sender: str
    content: Content
    provider_message_ids: list[str] = field(default_factory=list)
    reply_to: str = ""


@dataclass
class ReportSink:
    """Where adapters hand provider reports; the gateway stores them before acknowledging."""

    status: Callable[[StatusReport], Awaitable[object]]
    inbound: Callable[[InboundReport], Awaitable[object]]


class Adapter(Protocol):
    """One identity's connection to its provider."""

    async def send(self, outbound: OutboundMessage) -> SendResult: ...

    async def close(self) -> None: ...


class AdapterFactory(Protocol):
    def __call__(self, identity: IdentityRecord, reports: ReportSink) -> Adapter: ...
