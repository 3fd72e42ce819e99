"""Pure rules of fallback (omnirelay.domain.fallback) and session windows (omnirelay.domain.sessions)."""

from __future__ import annotations

import pytest
from google.protobuf.struct_pb2 import Struct
from omnirelay.v1 import content_pb2
from omnirelay.v1.common_pb2 import Channel, MessageError
from omnirelay.v1.messaging_pb2 import Fallback, Message, SendMessageRequest

from omnirelay.domain import fallback, sessions
from omnirelay.domain import status as st

HOUR_US = 3600 * 1_000_000
WINDOW_US = 24 * HOUR_US


def text(body: str) -> content_pb2.Content:
    return content_pb2.Content(text=content_pb2.Text(body=body))


@pytest.mark.parametrize(
    ("channel", "last", "now", "applies", "is_open"),
    [
        (Channel.CHANNEL_WHATSAPP, None, 0, True, False),
        (Channel.CHANNEL_WHATSAPP, 0, WINDOW_US - 1, True, True),
        (Channel.CHANNEL_WHATSAPP, 0, WINDOW_US, True, False),
        (Channel.CHANNEL_MESSENGER, 5 * HOUR_US, 28 * HOUR_US, True, True),
        (Channel.CHANNEL_SMS, None, 0, False, True),
    ],
)
def test_window_state(channel, last, now, applies, is_open) -> None:  # type: ignore[no-untyped-def]
    state = sessions.window_state(channel, last, now, WINDOW_US)
    assert (state.applies, state.open) == (applies, is_open)
    if last is not None and applies:
        assert state.expire_us == last + WINDOW_US


def test_what_needs_a_window() -> None:
    empty_cc, no_options = content_pb2.ChannelContent(), content_pb2.ChannelOptions()
    template = content_pb2.Content(template=content_pb2.Template(name="t", language="en"))
    custom_template = Struct()
    custom_template.update({"type": "template", "template": {"name": "t"}})
    custom_text = Struct()
    custom_text.update({"type": "text"})
    tag = content_pb2.ChannelOptions(messenger=content_pb2.MessengerOptions(tag="ACCOUNT_UPDATE"))

    def wa(custom: Struct) -> content_pb2.ChannelContent:
        return content_pb2.ChannelContent(whatsapp=content_pb2.WhatsAppContent(custom=custom))

    wa_channel, fb_channel = Channel.CHANNEL_WHATSAPP, Channel.CHANNEL_MESSENGER
    assert sessions.requires_window(wa_channel, text("hi"), empty_cc, no_options)
    assert not sessions.requires_window(wa_channel, template, empty_cc, no_options)
    assert not sessions.requires_window(wa_channel, content_pb2.Content(), wa(custom_template), no_options)
    assert sessions.requires_window(wa_channel, content_pb2.Content(), wa(custom_text), no_options)
    assert sessions.requires_window(fb_channel, text("hi"), empty_cc, no_options)
    assert not sessions.requires_window(fb_channel, text("hi"), empty_cc, tag)
    assert not sessions.requires_window(Channel.CHANNEL_SMS, text("hi"), empty_cc, no_options)


def test_success_status_setting() -> None:
    assert [fallback.parse_success_status(n) for n in ("sent", "DELIVERED", "read")] == [st.SENT, st.DELIVERED, st.READ]
    with pytest.raises(ValueError, match="sent, delivered or read"):
        fallback.parse_success_status("queued")


@pytest.mark.parametrize(
    ("status", "success", "times_out"),
    [
        (st.QUEUED, st.SENT, True),
        (st.SENDING, st.SENT, True),
        (st.SENT, st.SENT, False),
        (st.SENT, st.DELIVERED, True),
        (st.DELIVERED, st.DELIVERED, False),
        (st.DELIVERED, st.READ, True),
        (st.READ, st.READ, False),
        (st.CANCELED, st.DELIVERED, False),
        (st.EXPIRED, st.DELIVERED, False),
        (st.FAILED, st.DELIVERED, False),
    ],
)
def test_times_out(status: int, success: int, times_out: bool) -> None:
    assert fallback.times_out(status, success) is times_out


def test_next_fallback_and_giving_up() -> None:
    message = Message(fallbacks=[Fallback(identity="a"), Fallback(identity="b")])
    assert [f.identity if f else None for f in (fallback.next_fallback(message, n) for n in (1, 2, 3))] == ["a", "b", None]
    last = MessageError(code="RECIPIENT_INVALID", description="no", provider_code="21211")
    given_up = fallback.no_channels_left(last, 3)
    assert (given_up.code, given_up.permanent, given_up.provider_code) == ("NO_CHANNELS_LEFT", True, "21211")
    assert "RECIPIENT_INVALID" in given_up.description


def test_attempt_message_uses_the_current_fallbacks_content() -> None:
    options = content_pb2.ChannelOptions(sms=content_pb2.SmsOptions())
    message = Message(content=text("primary"), fallbacks=[Fallback(identity="a"), Fallback(identity="b", content=text("second"), options=options)])
    message.channel_attempts.add()
    assert fallback.attempt_message(message).content.text.body == "primary"
    message.channel_attempts.add()
    assert fallback.attempt_message(message).content.text.body == "primary"  # fallbacks[0] inherits
    message.channel_attempts.add()
    third = fallback.attempt_message(message)
    assert (third.content.text.body, third.options) == ("second", options)
    assert message.content.text.body == "primary"  # not changed in place


def test_fallback_as_a_send_request_inherits_what_it_does_not_set() -> None:
    reaction = content_pb2.ChannelContent(whatsapp=content_pb2.WhatsAppContent(reaction=content_pb2.Reaction(emoji="+1")))
    request = SendMessageRequest(identity="wa", recipient="+15557654321", channel_content=reaction, metadata={"k": "v"})
    inherited = fallback.as_send_request(request, Fallback(identity="wa2"))
    assert (inherited.identity, inherited.recipient, inherited.channel_content) == ("wa2", "+15557654321", reaction)
    own = fallback.as_send_request(request, Fallback(identity="sms", recipient="+15550000000", content=text("x")))
    assert (own.recipient, own.content.text.body, own.HasField("channel_content"), own.HasField("options")) == ("+15550000000", "x", False, False)



TEMPLATE = content_pb2.Content(template=content_pb2.Template(name="order_update", language="en_US"))
SMS_CONTENT = content_pb2.ChannelContent(sms=content_pb2.SmsContent(text="raw sms"))


@pytest.mark.parametrize(
    ("message", "chosen", "expected"),
    [
        (Message(content=text("mine")), Fallback(), "mine"),  # inherits the message's text
        (Message(content=TEMPLATE), Fallback(content=text("own")), "own"),  # its own content wins
        (Message(content=text("mine")), Fallback(channel_content=SMS_CONTENT), "raw sms"),
        (Message(content=TEMPLATE), Fallback(), None),  # no text to segment
    ],
    ids=["inherited", "own-content", "own-sms-channel-content", "no-text"],
)
def test_the_text_a_fallback_sends(message: Message, chosen: Fallback, expected: str | None) -> None:
    assert fallback.sent_text(message, chosen) == expected
