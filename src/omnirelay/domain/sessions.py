"""Customer service windows (pure). WhatsApp and Messenger accept free-form messages only within
a window after the contact's last inbound message to the identity; outside it WhatsApp takes an
approved template and Messenger a message tag."""

from __future__ import annotations

from dataclasses import dataclass

from omnirelay.domain.clock import to_timestamp
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.v1 import content_pb2
from omnirelay.v1.common_pb2 import CHANNEL_MESSENGER, CHANNEL_WHATSAPP, Channel

WINDOW_CHANNELS = frozenset({Channel.CHANNEL_WHATSAPP, Channel.CHANNEL_MESSENGER})


@dataclass(frozen=True)
class WindowState:
    applies: bool
    open: bool
    last_inbound_us: int | None = None
    expire_us: int | None = None


def window_state(channel: int, last_inbound_us: int | None, now_us: int, window_us: int) -> WindowState:
    if channel not in WINDOW_CHANNELS:
        return WindowState(applies=False, open=True)
    if last_inbound_us is None:
        return WindowState(applies=True, open=False)
    expire_us = last_inbound_us + window_us
    return WindowState(applies=True, open=now_us < expire_us, last_inbound_us=last_inbound_us, expire_us=expire_us)


def requires_window(
    channel: int, content: content_pb2.Content, channel_content: content_pb2.ChannelContent, options: content_pb2.ChannelOptions
) -> bool:
    """True when this message may go out only inside the window: free-form WhatsApp content (not
    a template, nor a Cloud API template object in channel_content), or Messenger without a tag."""
    if channel == CHANNEL_WHATSAPP:
        if content.WhichOneof("kind") == "template":
            return False
        custom = channel_content.whatsapp.custom
        return not ("type" in custom.fields and custom.fields["type"].string_value == "template")
    if channel == CHANNEL_MESSENGER:
        return not options.messenger.tag
    return False


def outside_window(channel: int, state: WindowState) -> GatewayError:
    remedy = "send a template" if channel == Channel.CHANNEL_WHATSAPP else "set options.messenger.tag"
    if state.last_inbound_us is None:
        return GatewayError(
            Reason.OUTSIDE_SESSION_WINDOW, f"the contact has not written to this identity; free-form messages need an open customer service window: {remedy}"
        )
    ts = to_timestamp(state.last_inbound_us)
    expired = to_timestamp(state.expire_us)
    assert ts is not None and expired is not None
    return GatewayError(
        Reason.OUTSIDE_SESSION_WINDOW,
        f"the customer service window closed at {expired.ToJsonString()}: {remedy}",
        metadata={"last_inbound_time": ts.ToJsonString(), "expire_time": expired.ToJsonString()},
    )
