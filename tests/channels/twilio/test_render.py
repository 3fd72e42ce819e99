"""render: the exact Messages.json form a message becomes, and the content SMS/MMS refuse."""

from __future__ import annotations

import pytest
from google.protobuf.duration_pb2 import Duration
from omnirelay.v1 import content_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.channels.base import ErrorClass, SendError
from omnirelay.channels.twilio import render
from omnirelay.store.directory import IdentityRecord

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
PHOTO = "https://cdn.example.com/p.jpg"
MENU = "https://cdn.example.com/menu.pdf"


def identity(channel: int) -> IdentityRecord:
    return IdentityRecord("acme", "id", channel, "+15551230000", "twilio", {"account_sid": ACCOUNT_SID}, {"auth_token": "secret"}, 0, 1)


def message(**fields: object) -> messaging_pb2.Message:
    return messaging_pb2.Message(recipient="+15557654321", **fields)


def image(url: str, caption: str = "") -> content_pb2.Media:
    return content_pb2.Media(kind=content_pb2.MediaKind.MEDIA_KIND_IMAGE, url=url, caption=caption)


ADDRESSES = {"To": "+15557654321", "From": "+15551230000"}


@pytest.mark.parametrize(
    ("channel", "msg", "form"),
    [
        (Channel.CHANNEL_SMS, message(content=content_pb2.Content(text=content_pb2.Text(body="Your code is 123456"))),
         {"Body": "Your code is 123456"}),
        (Channel.CHANNEL_SMS, message(channel_content=content_pb2.ChannelContent(sms=content_pb2.SmsContent(text="plain"))),
         {"Body": "plain"}),
        (Channel.CHANNEL_MMS, message(content=content_pb2.Content(media=image(PHOTO, caption="look"))),
         {"Body": "look", "MediaUrl": [PHOTO]}),
        (Channel.CHANNEL_MMS, message(content=content_pb2.Content(media=image(PHOTO))),
         {"MediaUrl": [PHOTO]}),
        (Channel.CHANNEL_MMS, message(channel_content=content_pb2.ChannelContent(mms=content_pb2.MmsContent(text="both", media=[image(PHOTO), image(MENU)]))),
         {"Body": "both", "MediaUrl": [PHOTO, MENU]}),
        (Channel.CHANNEL_MMS, message(content=content_pb2.Content(text=content_pb2.Text(body="text on MMS"))),
         {"Body": "text on MMS"}),
        (Channel.CHANNEL_SMS, message(content=content_pb2.Content(text=content_pb2.Text(body="hi")),
                                      options=content_pb2.ChannelOptions(sms=content_pb2.SmsOptions(validity_period=Duration(seconds=600)))),
         {"Body": "hi", "ValidityPeriod": "600"}),
        (Channel.CHANNEL_SMS, message(content=content_pb2.Content(text=content_pb2.Text(body="hi")),
                                      options=content_pb2.ChannelOptions(sms=content_pb2.SmsOptions(validity_period=Duration(seconds=86400)))),
         {"Body": "hi", "ValidityPeriod": "36000"}),
    ],
    ids=["text", "sms-channel-content", "media-with-caption", "media-alone", "mms-several-media", "text-on-mms", "validity", "validity-capped-at-10h"],
)
def test_render(channel: int, msg: messaging_pb2.Message, form: dict[str, object]) -> None:
    assert render(identity(channel), msg) == [{"method": "POST", "path": PATH, "form": {**ADDRESSES, **form}}]


@pytest.mark.parametrize(
    ("channel", "msg", "says"),
    [
        (Channel.CHANNEL_SMS, message(content=content_pb2.Content(media=image(PHOTO))), "media needs an MMS identity"),
        (Channel.CHANNEL_MMS, message(content=content_pb2.Content(location=content_pb2.Location(latitude=1, longitude=2))), "content.location"),
        (Channel.CHANNEL_SMS, message(content=content_pb2.Content(choice=content_pb2.Choice(text="pick"))), "content.choice"),
        (Channel.CHANNEL_SMS, message(channel_content=content_pb2.ChannelContent(sms=content_pb2.SmsContent(text="x", flash=True))), "flash SMS"),
        (Channel.CHANNEL_MMS, message(channel_content=content_pb2.ChannelContent(mms=content_pb2.MmsContent(subject="Hi", text="x"))), "MMS subject"),
        (Channel.CHANNEL_SMS, message(channel_content=content_pb2.ChannelContent(push=content_pb2.PushContent(data={"a": "b"}))), "channel_content.push"),
    ],
    ids=["media-on-sms", "location", "choice", "flash", "mms-subject", "push-content"],
)
def test_content_the_channel_cannot_carry_is_a_permanent_error(channel: int, msg: messaging_pb2.Message, says: str) -> None:
    with pytest.raises(SendError) as raised:
        render(identity(channel), msg)
    assert raised.value.error_class is ErrorClass.PERMANENT
    assert says in raised.value.description
