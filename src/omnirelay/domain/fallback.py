"""Fallback rules (pure): which statuses count as success, when an attempt has timed out, what an
attempt sends, and the errors recorded when the gateway moves on or gives up.

Attempt 0 is the message's own identity; attempt n uses fallbacks[n-1]."""

from __future__ import annotations

from omnirelay.domain import status as st
from omnirelay.domain.errors import FailureCode
from omnirelay.v1.common_pb2 import MessageError, MessageStatus
from omnirelay.v1.messaging_pb2 import Fallback, Message, SendMessageRequest

MAX_FALLBACKS = 10
MAX_TIMEOUT_US = 7 * 24 * 3600 * 1_000_000
_SUCCESS_BY_NAME = {"sent": st.SENT, "delivered": st.DELIVERED, "read": st.READ}
SUCCESS_STATUSES = frozenset(_SUCCESS_BY_NAME.values())


def parse_success_status(name: str) -> int:
    """A --fallback-success-status value (sent, delivered or read) as a MessageStatus."""
    if name.lower() not in _SUCCESS_BY_NAME:
        raise ValueError(f"fallback success status must be sent, delivered or read, not {name!r}")
    return _SUCCESS_BY_NAME[name.lower()]


def next_fallback(message: Message, attempts_done: int) -> Fallback | None:
    """The fallback to try after `attempts_done` attempts have ended, or None when none is left."""
    return message.fallbacks[attempts_done - 1] if attempts_done <= len(message.fallbacks) else None


def times_out(status: int, success_status: int) -> bool:
    """True when an attempt at `status` is still waiting for success when its timeout runs out
    (an attempt that failed was switched already; a canceled or expired message is over)."""
    return status in (st.QUEUED, st.SENDING, st.SENT, st.DELIVERED) and not st.has_reached(status, success_status)


def timeout_error(success_status: int, timeout_us: int) -> MessageError:
    wanted = MessageStatus.Name(success_status).removeprefix("MESSAGE_STATUS_")
    return MessageError(code=FailureCode.FALLBACK_TIMEOUT.name, description=f"not {wanted} within {timeout_us / 1e6:g} s", permanent=False)


def no_channels_left(last: MessageError, attempts: int) -> MessageError:
    return MessageError(
        code=FailureCode.NO_CHANNELS_LEFT.name,
        description=f"all {attempts} channel attempts failed; the last: {last.code}: {last.description}",
        permanent=True,
        provider_code=last.provider_code,
    )


def has_own_content(chosen: Fallback) -> bool:
    """The fallback sends content of its own; without, it sends the message's."""
    return chosen.HasField("content") or chosen.HasField("channel_content")


def attempt_message(message: Message) -> Message:
    """The message as its current attempt sends it: a fallback's own content and options
    replace the message's. `message.channel_attempts` ends with the current attempt."""
    index = len(message.channel_attempts) - 1
    if index < 1:
        return message
    chosen = message.fallbacks[index - 1]
    effective = Message()
    effective.CopyFrom(message)
    if has_own_content(chosen):
        effective.ClearField("content")
        effective.ClearField("channel_content")
        for part in ("content", "channel_content"):
            if chosen.HasField(part):
                getattr(effective, part).CopyFrom(getattr(chosen, part))
    if chosen.HasField("options"):
        effective.options.CopyFrom(chosen.options)
    return effective


def sent_text(message: Message, chosen: Fallback) -> str | None:
    """The text `chosen` sends: its own content's, or else the message's (None without text)."""
    source = chosen if has_own_content(chosen) else message
    if source.HasField("content"):
        return source.content.text.body if source.content.WhichOneof("kind") == "text" else None
    return source.channel_content.sms.text if source.channel_content.WhichOneof("channel") == "sms" else None


def as_send_request(request: SendMessageRequest, chosen: Fallback) -> SendMessageRequest:
    """What a fallback would send, as a SendMessageRequest that send validation can check: its
    own recipient, content and options, or the message's."""
    source = chosen if has_own_content(chosen) else request
    single = SendMessageRequest(identity=chosen.identity, recipient=chosen.recipient or request.recipient)
    for part, origin in (("content", source), ("channel_content", source), ("options", chosen if chosen.HasField("options") else request)):
        if origin.HasField(part):
            getattr(single, part).CopyFrom(getattr(origin, part))
    return single
