"""SendMessage and ChannelIdentity input checks (omnirelay.domain.validation)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from omnirelay.v1 import content_pb2 as c
from omnirelay.v1 import identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel, SmsEncoding

from omnirelay.domain import validation
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.domain.validation import SendPlan

SMS, WHATSAPP, MESSENGER, MMS = Channel.CHANNEL_SMS, Channel.CHANNEL_WHATSAPP, Channel.CHANNEL_MESSENGER, Channel.CHANNEL_MMS
NOW_US = 1_793_491_200_000_000  # 2026-11-01T00:00:00Z
GOOD_URL = "https://example.com/a.png"
Req = messaging_pb2.SendMessageRequest


def _ts(us: int) -> Timestamp:
    t = Timestamp()
    t.FromMicroseconds(us)
    return t


def _send(**kw: object) -> Req:
    kw.setdefault("recipient", "+15551234567")
    if "content" not in kw and "channel_content" not in kw:
        kw["content"] = c.Content(text=c.Text(body="hello"))
    return Req(**kw)


def _content(**kw: object) -> Req:
    return _send(content=c.Content(**kw))


def _choice(action: c.Action) -> Req:
    return _content(choice=c.Choice(text="Pick one", actions=[action]))


def _fields(error: GatewayError) -> list[str]:
    return [v.field for v in error.violations]


INVALID: list[tuple[str, int, Callable[[], Req], str]] = [
    ("missing-recipient", SMS, lambda: _send(recipient=""), "recipient"),
    ("blank-recipient", SMS, lambda: _send(recipient="   "), "recipient"),
    ("sms-recipient-no-plus", SMS, lambda: _send(recipient="5551234567"), "recipient"),
    ("sms-recipient-words", SMS, lambda: _send(recipient="alice"), "recipient"),
    ("sms-recipient-too-short", SMS, lambda: _send(recipient="+1 23"), "recipient"),
    ("whatsapp-recipient-not-phone", WHATSAPP, lambda: _send(recipient="wa-user"), "recipient"),
    ("recipient-over-4096", MESSENGER, lambda: _send(recipient="p" * 4097), "recipient"),
    ("no-content", SMS, lambda: Req(recipient="+15551234567"), "content"),
    ("content-and-channel-content", SMS, lambda: _send(content=c.Content(text=c.Text(body="hi")), channel_content=c.ChannelContent(sms=c.SmsContent(text="hi"))), "channel_content"),
    ("channel-content-without-channel", SMS, lambda: _send(channel_content=c.ChannelContent()), "channel_content"),
    ("content-without-kind", SMS, lambda: _send(content=c.Content()), "content"),
    ("text-empty-body", SMS, lambda: _content(text=c.Text(body="")), "content.text.body"),
    ("text-blank-body", SMS, lambda: _content(text=c.Text(body=" \n ")), "content.text.body"),
    ("media-without-kind", MMS, lambda: _content(media=c.Media(url=GOOD_URL)), "content.media.kind"),
    ("media-ftp-url", MMS, lambda: _content(media=c.Media(kind=c.MEDIA_KIND_IMAGE, url="ftp://example.com/a.png")), "content.media.url"),
    ("media-relative-url", MMS, lambda: _content(media=c.Media(kind=c.MEDIA_KIND_IMAGE, url="/a.png")), "content.media.url"),
    ("media-no-url", MMS, lambda: _content(media=c.Media(kind=c.MEDIA_KIND_IMAGE)), "content.media.url"),
    ("media-negative-size", MMS, lambda: _content(media=c.Media(kind=c.MEDIA_KIND_IMAGE, url=GOOD_URL, size_bytes=-1)), "content.media.size_bytes"),
    ("latitude-91", WHATSAPP, lambda: _content(location=c.Location(latitude=91, longitude=0)), "content.location.latitude"),
    ("latitude-nan", WHATSAPP, lambda: _content(location=c.Location(latitude=float("nan"), longitude=0)), "content.location.latitude"),
    ("longitude-minus-181", WHATSAPP, lambda: _content(location=c.Location(latitude=0, longitude=-181)), "content.location.longitude"),
    ("contact-without-name", WHATSAPP, lambda: _content(contact=c.ContactCard(phone_numbers=["+15551234567"])), "content.contact.formatted_name"),
    ("template-without-language", WHATSAPP, lambda: _content(template=c.Template(name="welcome")), "content.template.language"),
    ("template-without-name", WHATSAPP, lambda: _content(template=c.Template(language="en_US")), "content.template.name"),
    ("template-header-media-bad-url", WHATSAPP, lambda: _content(template=c.Template(name="w", language="en_US", header_media=c.Media(kind=c.MEDIA_KIND_IMAGE, url="x"))), "content.template.header_media.url"),
    ("choice-without-actions", WHATSAPP, lambda: _content(choice=c.Choice(text="Pick one")), "content.choice.actions"),
    ("choice-without-text", WHATSAPP, lambda: _content(choice=c.Choice(actions=[c.Action(text="Yes", reply=c.Reply())])), "content.choice.text"),
    ("action-open-url-without-url", WHATSAPP, lambda: _choice(c.Action(text="Go", open_url=c.OpenUrl())), "content.choice.actions[0].open_url.url"),
    ("action-without-kind", WHATSAPP, lambda: _choice(c.Action(text="Go")), "content.choice.actions[0].kind"),
    ("action-without-text", WHATSAPP, lambda: _choice(c.Action(reply=c.Reply())), "content.choice.actions[0].text"),
    ("action-dial-bad-number", WHATSAPP, lambda: _choice(c.Action(text="Call", dial=c.Dial(phone_number="call me"))), "content.choice.actions[0].dial.phone_number"),
    ("list-row-without-id", WHATSAPP, lambda: _content(list=c.ListPicker(text="Menu", sections=[c.ListSection(rows=[c.ListRow(title="Tea")])])), "content.list.sections[0].rows[0].id"),
    ("list-row-without-title", WHATSAPP, lambda: _content(list=c.ListPicker(text="Menu", sections=[c.ListSection(rows=[c.ListRow(id="tea")])])), "content.list.sections[0].rows[0].title"),
    ("list-section-without-rows", WHATSAPP, lambda: _content(list=c.ListPicker(text="Menu", sections=[c.ListSection(title="Drinks")])), "content.list.sections[0].rows"),
    ("list-without-sections", WHATSAPP, lambda: _content(list=c.ListPicker(text="Menu")), "content.list.sections"),
    ("empty-card", Channel.CHANNEL_RCS, lambda: _content(card=c.Card()), "content.card"),
    ("carousel-without-cards", Channel.CHANNEL_RCS, lambda: _content(carousel=c.Carousel()), "content.carousel.cards"),
    ("carousel-second-card-media-without-kind", Channel.CHANNEL_RCS, lambda: _content(carousel=c.Carousel(cards=[c.Card(title="a"), c.Card(media=c.Media(url=GOOD_URL))])), "content.carousel.cards[1].media.kind"),
    ("product-without-ids", WHATSAPP, lambda: _content(product=c.Product(catalog_id="cat")), "content.product.product_ids"),
    ("product-without-catalog", WHATSAPP, lambda: _content(product=c.Product(product_ids=["p1"])), "content.product.catalog_id"),
    ("choice-reply-outbound", WHATSAPP, lambda: _content(choice_reply=c.ChoiceReply(postback_data="yes")), "content.choice_reply"),
    ("metadata-33-pairs", SMS, lambda: _send(metadata={f"k{i}": "v" for i in range(33)}), "metadata"),
    ("metadata-long-key", SMS, lambda: _send(metadata={"k" * 65: "v"}), f"metadata[{'k' * 65!r}]"),
    ("metadata-long-value", SMS, lambda: _send(metadata={"k": "v" * 513}), "metadata['k']"),
    ("request-id-129", SMS, lambda: _send(request_id="r" * 129), "request_id"),
    ("expire-time-past", SMS, lambda: _send(expire_time=_ts(NOW_US - 1)), "expire_time"),
    ("expire-time-now", SMS, lambda: _send(expire_time=_ts(NOW_US)), "expire_time"),
]


@pytest.mark.parametrize(("channel", "build", "field"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_check_send_names_the_field(channel: int, build: Callable[[], Req], field: str) -> None:
    with pytest.raises(GatewayError) as raised:
        validation.check_send(build(), channel, NOW_US)
    assert raised.value.reason is Reason.INVALID_FIELD
    assert _fields(raised.value) == [field]


def test_check_send_reports_every_violation() -> None:
    request = Req(
        recipient="",
        content=c.Content(list=c.ListPicker(text="Menu", sections=[c.ListSection(rows=[c.ListRow()])])),
        metadata={f"k{i}": "v" for i in range(33)},
        request_id="r" * 129,
        expire_time=_ts(NOW_US - 1),
    )
    with pytest.raises(GatewayError) as raised:
        validation.check_send(request, SMS, NOW_US)
    assert _fields(raised.value) == [
        "recipient",
        "content.list.sections[0].rows[0].id",
        "content.list.sections[0].rows[0].title",
        "metadata",
        "request_id",
        "expire_time",
    ]
    assert "request_id" in raised.value.message and "expire_time" in raised.value.message


@pytest.mark.parametrize(
    ("channel", "channel_content", "field"),
    [
        (SMS, c.ChannelContent(whatsapp=c.WhatsAppContent()), "channel_content.whatsapp"),
        (WHATSAPP, c.ChannelContent(mms=c.MmsContent(text="x")), "channel_content.mms"),
        (MESSENGER, c.ChannelContent(sms=c.SmsContent(text="x")), "channel_content.sms"),
    ],
    ids=["whatsapp-on-sms", "mms-on-whatsapp", "sms-on-messenger"],
)
def test_channel_content_mismatch(channel: int, channel_content: c.ChannelContent, field: str) -> None:
    recipient = "psid-1" if channel == MESSENGER else "+15551234567"
    with pytest.raises(GatewayError) as raised:
        validation.check_send(Req(recipient=recipient, channel_content=channel_content), channel, NOW_US)
    assert raised.value.reason is Reason.CHANNEL_CONTENT_MISMATCH
    assert _fields(raised.value) == [field]


UCS2_TEXT = "Zażółć gęślą jaźń " * 5  # 90 UTF-16 units


@pytest.mark.parametrize(
    ("channel", "request_", "plan"),
    [
        (SMS, _send(recipient="+1 555 123 4567", content=c.Content(text=c.Text(body="hello"))), SendPlan("+15551234567", SmsEncoding.SMS_ENCODING_GSM7, 1)),
        (SMS, _send(recipient=" +44 20 7946 0958 ", content=c.Content(text=c.Text(body="a" * 161))), SendPlan("+442079460958", SmsEncoding.SMS_ENCODING_GSM7, 2)),
        (SMS, _send(content=c.Content(text=c.Text(body=UCS2_TEXT))), SendPlan("+15551234567", SmsEncoding.SMS_ENCODING_UCS2, 2)),
        (SMS, _send(channel_content=c.ChannelContent(sms=c.SmsContent(text="€" * 81, flash=True))), SendPlan("+15551234567", SmsEncoding.SMS_ENCODING_GSM7, 2)),
        (WHATSAPP, _send(recipient="+1 (555) 123-4567"), SendPlan("+15551234567", SmsEncoding.SMS_ENCODING_UNSPECIFIED, 0)),
        (MESSENGER, _send(recipient="psid-1234567890"), SendPlan("psid-1234567890", SmsEncoding.SMS_ENCODING_UNSPECIFIED, 0)),
        (Channel.CHANNEL_PUSH, _send(recipient="fcm:" + "t" * 300), SendPlan("fcm:" + "t" * 300, SmsEncoding.SMS_ENCODING_UNSPECIFIED, 0)),
        (
            SMS,
            _send(request_id="r" * 128, metadata={f"k{i}": "v" * 512 for i in range(32)}, expire_time=_ts(NOW_US + 1)),
            SendPlan("+15551234567", SmsEncoding.SMS_ENCODING_GSM7, 1),
        ),
        (
            WHATSAPP,
            _content(list=c.ListPicker(text="Menu", sections=[c.ListSection(rows=[c.ListRow(id="tea", title="Tea")])])),
            SendPlan("+15551234567", SmsEncoding.SMS_ENCODING_UNSPECIFIED, 0),
        ),
    ],
    ids=[
        "sms-gsm7-normalized", "sms-two-segments-trimmed", "sms-ucs2", "sms-channel-content", "whatsapp-no-segments",
        "messenger-non-phone", "push-token", "limits-at-maximum", "whatsapp-list",
    ],
)
def test_check_send_valid(channel: int, request_: Req, plan: SendPlan) -> None:
    assert validation.check_send(request_, channel, NOW_US) == plan


ADAPTERS = {
    "sandbox": validation.AdapterRequirements(frozenset(Channel.values()) - {Channel.CHANNEL_UNSPECIFIED}),
    "smsc": validation.AdapterRequirements(frozenset({Channel.CHANNEL_SMS}), settings=("host",), credentials=("password",)),
}
Identity = identities_pb2.ChannelIdentity


@pytest.mark.parametrize(
    ("identity", "creating", "reason", "fields"),
    [
        (Identity(address="+15551234567", adapter="sandbox"), True, Reason.INVALID_FIELD, ["channel_identity.channel"]),
        (Identity(channel=SMS, address="+15551234567"), True, Reason.INVALID_FIELD, ["channel_identity.adapter"]),
        (Identity(channel=SMS, address="+15551234567", adapter="twilio"), True, Reason.UNKNOWN_ADAPTER, ["channel_identity.adapter"]),
        (Identity(channel=SMS, address="not-a-number", adapter="sandbox"), True, Reason.INVALID_FIELD, ["channel_identity.address"]),
        (Identity(channel=MESSENGER, address="", adapter="sandbox"), True, Reason.INVALID_FIELD, ["channel_identity.address"]),
        (Identity(channel=SMS, address="+15551234567", adapter="sandbox", display_name="d" * 257), True, Reason.INVALID_FIELD, ["channel_identity.display_name"]),
        (Identity(display_name="d" * 257), False, Reason.INVALID_FIELD, ["channel_identity.display_name"]),
        (Identity(channel=SMS, address="+15551234567", adapter="sandbox", settings={"s" * 65: "x"}), True, Reason.INVALID_FIELD, ["channel_identity.settings"]),
        (Identity(), True, Reason.INVALID_FIELD, ["channel_identity.channel", "channel_identity.adapter"]),
        (Identity(channel=MESSENGER, address="page-1", adapter="smsc", settings={"host": "h"}, credentials={"password": "p"}), True, Reason.INVALID_FIELD, ["channel_identity.channel"]),
        (Identity(channel=SMS, address="+15551234567", adapter="smsc", settings={"host": ""}), True, Reason.INVALID_FIELD,
         ["channel_identity.settings['host']", "channel_identity.credentials['password']"]),
    ],
    ids=[
        "missing-channel", "missing-adapter", "unknown-adapter", "bad-sms-address", "missing-address",
        "long-display-name", "long-display-name-on-update", "long-settings-key", "empty-identity",
        "adapter-does-not-serve-channel", "adapter-requirements-missing",
    ],
)
def test_check_identity_rejects(identity: Identity, creating: bool, reason: Reason, fields: list[str]) -> None:
    with pytest.raises(GatewayError) as raised:
        validation.check_identity(identity, ADAPTERS, creating)
    assert raised.value.reason is reason
    assert _fields(raised.value) == fields


def test_check_identity_unknown_adapter_when_none_enabled() -> None:
    with pytest.raises(GatewayError) as raised:
        validation.check_identity(Identity(channel=SMS, address="+15551234567", adapter="sandbox"), {}, True)
    assert raised.value.reason is Reason.UNKNOWN_ADAPTER


def test_check_identity_bad_credentials_key_names_credentials() -> None:
    identity = Identity(channel=SMS, address="+15551234567", adapter="sandbox", credentials={"c" * 65: "secret"})
    with pytest.raises(GatewayError) as raised:
        validation.check_identity(identity, ADAPTERS, True)
    assert _fields(raised.value) == ["channel_identity.credentials"]


@pytest.mark.parametrize(
    ("identity", "creating", "address"),
    [
        (Identity(channel=SMS, address="+1 555 123 4567", adapter="sandbox"), True, "+15551234567"),
        (Identity(channel=MESSENGER, address="page-42", adapter="sandbox"), True, "page-42"),
        (Identity(address="+1 555 123 4567", adapter="retired"), False, "+1 555 123 4567"),
    ],
    ids=["sms-normalized", "messenger-as-is", "update-skips-create-checks"],
)
def test_check_identity_returns_address(identity: Identity, creating: bool, address: str) -> None:
    assert validation.check_identity(identity, ADAPTERS, creating) == address
