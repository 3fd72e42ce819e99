"""Every error reason the gateway returns, in one place (README.md lists them from here)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Code(enum.Enum):
    """The canonical gRPC status codes the gateway uses (names match grpc.StatusCode)."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
    UNAVAILABLE = "UNAVAILABLE"
    INTERNAL = "INTERNAL"


class Reason(enum.Enum):
    """ErrorInfo.reason values (domain "omnirelay"), with their status code and meaning."""

    def __init__(self, code: Code, meaning: str) -> None:
        self.code = code
        self.meaning = meaning

    INVALID_FIELD = (Code.INVALID_ARGUMENT, "A request field is missing or malformed; BadRequest names each field.")
    INVALID_FILTER = (Code.INVALID_ARGUMENT, "The filter expression cannot be parsed or names an unknown field.")
    INVALID_PAGE_TOKEN = (Code.INVALID_ARGUMENT, "The page token is malformed or belongs to another query.")
    INVALID_CURSOR = (Code.INVALID_ARGUMENT, "The stream cursor is malformed.")
    CHANNEL_CONTENT_MISMATCH = (Code.INVALID_ARGUMENT, "channel_content is for another channel than the identity's.")
    UNKNOWN_ADAPTER = (Code.INVALID_ARGUMENT, "The identity names an adapter this gateway does not have or has disabled.")
    REQUEST_ID_REUSED = (Code.INVALID_ARGUMENT, "The request_id was used in the last 24 hours for a different request.")
    CONTENT_NOT_SUPPORTED = (Code.INVALID_ARGUMENT, "The identity's channel cannot carry this content type (and, in ADAPT mode, it cannot be adapted); ErrorInfo metadata names channel and content_type.")
    TEXT_TOO_LONG = (Code.INVALID_ARGUMENT, "A text is longer than the channel allows: body, caption, button or row title, card title.")
    TOO_MANY_SEGMENTS = (Code.INVALID_ARGUMENT, "The SMS needs more segments than --sms-max-segments allows.")
    TOO_MANY_ACTIONS = (Code.INVALID_ARGUMENT, "More buttons, quick replies, suggestions or list rows than the channel allows.")
    CARD_COUNT_OUT_OF_RANGE = (Code.INVALID_ARGUMENT, "The carousel has fewer or more cards than the channel allows (e.g. WhatsApp and RCS 2-10).")
    PAYLOAD_TOO_LARGE = (Code.INVALID_ARGUMENT, "The encoded message is larger than the channel allows (push 4 KB, RCS 250 KB).")
    MEDIA_TOO_LARGE = (Code.INVALID_ARGUMENT, "MMS media is larger than the carrier accepts from the identity's number type.")
    MEDIA_SIZE_UNKNOWN = (Code.INVALID_ARGUMENT, "MMS media has no size_bytes and a HEAD of its URL gave none (not https, a private address, no answer in time, or no Content-Length).")
    UNAUTHENTICATED = (Code.UNAUTHENTICATED, "No API key, an unknown key, or a revoked key.")
    ADMIN_REQUIRED = (Code.PERMISSION_DENIED, "The call needs an admin key.")
    WRONG_ACCOUNT = (Code.PERMISSION_DENIED, "The resource belongs to another account than the key's.")
    ACCOUNT_NOT_FOUND = (Code.NOT_FOUND, "No such account.")
    API_KEY_NOT_FOUND = (Code.NOT_FOUND, "No such API key.")
    IDENTITY_NOT_FOUND = (Code.NOT_FOUND, "No such channel identity in this account.")
    MESSAGE_NOT_FOUND = (Code.NOT_FOUND, "No such message in this account.")
    ALREADY_EXISTS = (Code.ALREADY_EXISTS, "A resource with this id exists already.")
    NOT_CANCELABLE = (Code.FAILED_PRECONDITION, "The message was handed to the provider already, or has ended.")
    CURSOR_EXPIRED = (Code.FAILED_PRECONDITION, "The cursor is older than event retention; ErrorInfo metadata oldest_cursor is the oldest valid one.")
    NOT_SANDBOX_IDENTITY = (Code.FAILED_PRECONDITION, "The identity does not use the sandbox adapter.")
    OUTSIDE_SESSION_WINDOW = (Code.FAILED_PRECONDITION, "A free-form WhatsApp or Messenger message outside the customer service window (24 h after the contact's last inbound message); send a WhatsApp template or set a Messenger tag. ErrorInfo metadata has last_inbound_time and expire_time when there was an inbound message.")
    TOO_MANY_STREAMS = (Code.RESOURCE_EXHAUSTED, "The account has as many open streams as allowed; ErrorInfo metadata has the limit.")
    SHUTTING_DOWN = (Code.UNAVAILABLE, "The server is shutting down; retry on another replica.")
    STORE_UNAVAILABLE = (Code.UNAVAILABLE, "The database could not be reached; nothing was stored; retry.")
    INTERNAL = (Code.INTERNAL, "An unexpected error; the server log has the details.")


# Reasons the gateway records on failed messages (MessageError.code), not returned by RPCs.
class FailureCode(enum.Enum):
    def __init__(self, meaning: str) -> None:
        self.meaning = meaning

    PROVIDER_REJECTED = ("The provider refused the message permanently.",)
    RECIPIENT_INVALID = ("The provider says the recipient cannot receive messages on this channel.",)
    PROVIDER_AUTH_FAILED = ("The provider refused the identity's credentials.",)
    PROVIDER_UNAVAILABLE = ("A transient provider error; the message is being retried (status stays SENDING).",)
    PROVIDER_THROTTLED = ("The provider asked us to slow down; the message is being retried (status stays SENDING).",)
    RETRIES_EXHAUSTED = ("Transient provider errors persisted through every retry.",)
    EXPIRED = ("The message was not handed to the provider before its expire time.",)
    IDENTITY_GONE = ("The identity was deleted while the message was queued.",)
    UNDELIVERABLE = ("The provider could not deliver the message to the handset or app.",)
    OUTSIDE_SESSION_WINDOW = ("The customer service window of a WhatsApp or Messenger attempt had closed by the time it was sent (free-form content, no template or tag).",)
    FALLBACK_TIMEOUT = ("On a channel attempt (SWITCHING_CHANNEL event): no success status arrived within the fallback timeout, so the next fallback was tried.",)
    NO_CHANNELS_LEFT = ("Every channel attempt (the message's identity and each fallback) failed; channel_attempts has each one's error.",)


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


@dataclass
class GatewayError(Exception):
    """An error that reaches the caller as a google.rpc.Status with ErrorInfo."""

    reason: Reason
    message: str
    violations: list[FieldViolation] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.reason.name}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole (it comes back from the SQLite writer process): an exception pickles
        # its args, which the dataclass's __init__ leaves empty.
        return (GatewayError, (self.reason, self.message, self.violations, self.metadata))


def invalid(violations: list[FieldViolation], reason: Reason = Reason.INVALID_FIELD) -> GatewayError:
    """One INVALID_ARGUMENT error that names every bad field."""
    summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
    return GatewayError(reason, summary, violations)


def invalid_field(field_path: str, description: str, reason: Reason = Reason.INVALID_FIELD) -> GatewayError:
    return invalid([FieldViolation(field_path, description)], reason)
