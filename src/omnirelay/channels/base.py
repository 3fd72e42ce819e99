"""The adapter interface every channel implements (ARCHITECTURE.md, "Channels")."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import httpx

from omnirelay.domain.errors import FailureCode
from omnirelay.domain.validation import AdapterRequirements
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import MessageError
from omnirelay.v1.content_pb2 import ChannelContent, Content
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
    # A more precise code for the failed message than the class gives (e.g. OUTSIDE_SESSION_WINDOW).
    failure_code: FailureCode | None = None


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
class WatermarkReport:
    """A provider's word on a whole conversation (Messenger's delivery and read watermarks):
    every outbound message to `recipient` sent at or before `up_to_us` reached `status`."""

    account_id: str
    identity_id: str
    recipient: str
    status: int
    up_to_us: int
    provider_code: str = ""


@dataclass(frozen=True)
class InboundReport:
    """A customer's message, as an adapter parsed it: Content, or ChannelContent for what
    Content cannot hold (an MMS with several media)."""

    account_id: str
    identity_id: str
    sender: str
    content: Content | ChannelContent
    provider_message_ids: list[str] = field(default_factory=list)
    reply_to: str = ""


@dataclass
class ReportSink:
    """Where adapters and the webhook ingress hand provider reports; the gateway stores them
    before acknowledging."""

    status: Callable[[StatusReport], Awaitable[object]]
    inbound: Callable[[InboundReport], Awaitable[object]]
    watermark: Callable[[WatermarkReport], Awaitable[object]]


@dataclass(frozen=True)
class AdapterContext:
    """What the gateway lends every adapter: the report sink, one shared HTTP client (tests
    point identities' `base_url` setting at fake providers on 127.0.0.1), and the public webhook
    URL of (account_id, identity_id), for providers told per request where to call back (None
    when the webhook ingress is off)."""

    reports: ReportSink
    http: httpx.AsyncClient
    webhook_url: Callable[[str, str], str] | None = None


@dataclass(frozen=True)
class WebhookRequest:
    """A provider callback as the ingress server received it. `url` is the public URL the
    provider called (signatures such as X-Twilio-Signature cover it); header names are lower
    case; `form` holds the decoded body of an application/x-www-form-urlencoded post."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    form: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass
class WebhookResult:
    """What one callback carried (stored before the provider gets `status`), and the reply."""

    statuses: list[StatusReport] = field(default_factory=list)
    inbound: list[InboundReport] = field(default_factory=list)
    watermarks: list[WatermarkReport] = field(default_factory=list)
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"


class WebhookRejected(Exception):
    """A callback refused before anything is stored: 403 for a bad signature, 400 for a body
    that does not parse. The message is logged, never echoed with a stack trace."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Adapter(Protocol):
    """One identity's connection to its provider."""

    async def send(self, outbound: OutboundMessage) -> SendResult: ...

    async def close(self) -> None: ...


@runtime_checkable
class WebhookReceiver(Protocol):
    """An adapter whose provider calls back over HTTP (ingress/ routes the call here)."""

    async def handle_webhook(self, request: WebhookRequest) -> WebhookResult: ...


class AdapterFactory(Protocol):
    def __call__(self, identity: IdentityRecord, context: AdapterContext) -> Adapter: ...


ProviderPayload = list[dict[str, Any]]


@dataclass(frozen=True)
class AdapterSpec:
    """One adapter as data: the channels it serves, what an identity must configure, how to
    build a live adapter, and `render`, the pure function that turns a message into the exact
    provider request(s) it would send (TranscodeMessage shows them; `send` uses the same one).
    Each request is a dict such as {"method", "path", "json"|"form"} or an SMPP PDU's fields;
    secrets never appear in it.

    `exclusive`: an identity's connection may be open on one replica at a time (an SMPP bind,
    which the SMSC allows once per system id): the replica holding the identity's connection
    lease serves it, and another takes over when that one dies (dispatch/connections.py)."""

    name: str
    requirements: AdapterRequirements
    factory: AdapterFactory
    render: Callable[[IdentityRecord, Message], ProviderPayload]
    exclusive: bool = False
