"""Channel capabilities, limits and adaptation (domain/capabilities.py, limits.py, transcode.py),
through check_send as SendMessage calls it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from omnirelay.v1 import content_pb2 as c
from omnirelay.v1 import messaging_pb2
from omnirelay.v1.common_pb2 import Channel, SmsEncoding
from omnirelay.v1.content_pb2 import AdaptationMode, ChoiceStyle

from omnirelay.domain import capabilities, limits, transcode, validation
from omnirelay.domain.capabilities import LONG_CODE, SHORT_CODE, TOLL_FREE
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.domain.validation import SendPlan

SMS, MMS, RCS, WHATSAPP = Channel.CHANNEL_SMS, Channel.CHANNEL_MMS, Channel.CHANNEL_RCS, Channel.CHANNEL_WHATSAPP
APPLE, PUSH, MESSENGER = Channel.CHANNEL_APPLE, Channel.CHANNEL_PUSH, Channel.CHANNEL_MESSENGER
NOW_US = 1_793_491_200_000_000
IMG = "https://example.com/a.png"
STRICT, ADAPT = AdaptationMode.ADAPTATION_MODE_STRICT, AdaptationMode.ADAPTATION_MODE_ADAPT
RECIPIENT = {SMS: "+15551234567", MMS: "+15551234567", RCS: "+15551234567", WHATSAPP: "+15551234567", APPLE: "urn:mbid:abc", PUSH: "fcm:token", MESSENGER: "psid-1"}


def plan(channel: int, content: c.Content, mode: int = STRICT, sms_max_segments: int = 10, options: c.ChannelOptions | None = None) -> SendPlan:
    request = messaging_pb2.SendMessageRequest(recipient=RECIPIENT[channel], content=content, adaptation_mode=mode, options=options)
    return validation.check_send(request, channel, NOW_US, sms_max_segments)


def rejects(channel: int, content: c.Content, mode: int = STRICT, **kw: object) -> GatewayError:
    with pytest.raises(GatewayError) as raised:
        plan(channel, content, mode, **kw)  # type: ignore[arg-type]
    return raised.value


def fields(error: GatewayError) -> list[str]:
    return [v.field for v in error.violations]


def reply(label: str) -> c.Action:
    return c.Action(text=label, reply=c.Reply())


def text(body: str) -> c.Content:
    return c.Content(text=c.Text(body=body))


def media(kind: int, url: str = IMG, **kw: object) -> c.Content:
    return c.Content(media=c.Media(kind=kind, url=url, **kw))


def card(title: str = "Tea", actions: int = 0, **kw: object) -> c.Card:
    return c.Card(title=title, actions=[reply(f"Buy {i}") for i in range(actions)], **kw)


def carousel(cards: int) -> c.Content:
    return c.Content(carousel=c.Carousel(cards=[card(f"Card {i}") for i in range(cards)]))


def choice(n: int, style: int = ChoiceStyle.CHOICE_STYLE_UNSPECIFIED, label: str = "Opt") -> c.Content:
    return c.Content(choice=c.Choice(text="Pick one", actions=[reply(f"{label}{i}") if len(label) < 5 else reply(label) for i in range(n)], style=style))


def list_rows(per_section: list[int], title: str = "Row") -> c.Content:
    sections = [c.ListSection(title=f"S{s}", rows=[c.ListRow(id=f"r{s}-{r}", title=title) for r in range(n)]) for s, n in enumerate(per_section)]
    return c.Content(list=c.ListPicker(text="Menu", button_text="See", sections=sections))


# The seed's matrix, spelled out independently of capabilities.py.
SEED_OUTBOUND = {
    SMS: {"TEXT"},
    MMS: {"TEXT", "IMAGE"},
    PUSH: {"TEXT", "IMAGE", "AUDIO", "VIDEO", "FILE", "LOCATION"},
    **{ch: {"TEXT", "IMAGE", "AUDIO", "VIDEO", "FILE", "LOCATION", "TEMPLATE", "BUTTONS", "CAROUSEL", "CONTACT"} for ch in (RCS, WHATSAPP, APPLE, MESSENGER)},
}
SEED_INBOUND = {
    SMS: {"TEXT"},
    MMS: {"TEXT", "IMAGE"},
    PUSH: set(),
    **{ch: {"TEXT", "IMAGE", "AUDIO", "VIDEO", "FILE", "LOCATION", "CONTACT"} for ch in (RCS, WHATSAPP, APPLE, MESSENGER)},
}


def test_matrix_is_the_seeds() -> None:
    assert set(capabilities.CHANNELS) == set(SEED_OUTBOUND)
    for channel, rules in capabilities.CHANNELS.items():
        assert {capabilities.type_name(t) for t in rules.outbound} == SEED_OUTBOUND[channel], Channel.Name(channel)
        assert {capabilities.type_name(t) for t in rules.inbound} == SEED_INBOUND[channel], Channel.Name(channel)


# One content per column of the matrix; what ADAPT makes of it where the channel lacks the column.
SAMPLES: dict[str, c.Content] = {
    "TEXT": text("Hello"),
    "IMAGE": media(c.MEDIA_KIND_IMAGE, caption="Our shop"),
    "AUDIO": media(c.MEDIA_KIND_AUDIO, url="https://example.com/a.mp3"),
    "VIDEO": media(c.MEDIA_KIND_VIDEO, url="https://example.com/a.mp4"),
    "FILE": media(c.MEDIA_KIND_FILE, url="https://example.com/a.pdf", filename="a.pdf"),
    "LOCATION": c.Content(location=c.Location(latitude=48.8584, longitude=2.2945, name="Eiffel Tower")),
    "TEMPLATE": c.Content(template=c.Template(name="welcome", language="en_US")),
    "BUTTONS": c.Content(choice=c.Choice(text="Pick one", actions=[reply("Yes"), c.Action(text="Site", open_url=c.OpenUrl(url="https://example.com"))])),
    "CAROUSEL": c.Content(carousel=c.Carousel(cards=[card("Tea"), card("Coffee", description="Hot")])),
    "CONTACT": c.Content(contact=c.ContactCard(formatted_name="Ada Lovelace", phone_numbers=["+15551234567"])),
}
ADAPTED_TEXT = {
    "IMAGE": ("content.media -> link", "Our shop\nhttps://example.com/a.png"),
    "AUDIO": ("content.media -> link", "https://example.com/a.mp3"),
    "VIDEO": ("content.media -> link", "https://example.com/a.mp4"),
    "FILE": ("content.media -> link", "https://example.com/a.pdf"),
    "LOCATION": ("content.location -> maps link", "Eiffel Tower\nhttps://www.google.com/maps/search/?api=1&query=48.8584,2.2945"),
    "BUTTONS": ("content.choice -> numbered text", "Pick one\n1. Yes\n2. Site: https://example.com"),
    "CAROUSEL": ("content.carousel -> text", "Tea\n\nCoffee\nHot"),
    "CONTACT": ("content.contact -> text", "Ada Lovelace\n+15551234567"),
}
KIND = {"TEXT": "text", "LOCATION": "location", "TEMPLATE": "template", "BUTTONS": "choice", "CAROUSEL": "carousel", "CONTACT": "contact"}
CELLS = [(ch, column) for ch in SEED_OUTBOUND for column in SAMPLES]


@pytest.mark.parametrize(("channel", "column"), CELLS, ids=[f"{Channel.Name(ch)[8:]}-{col}" for ch, col in CELLS])
def test_every_channel_and_content_type_strict(channel: int, column: str) -> None:
    content = SAMPLES[column]
    if column in SEED_OUTBOUND[channel]:
        assert plan(channel, content).adapted is None
        return
    error = rejects(channel, content)
    assert error.reason is Reason.CONTENT_NOT_SUPPORTED
    assert fields(error) == [f"content.{KIND.get(column, 'media')}"]
    assert error.metadata == {"channel": Channel.Name(channel)[8:], "content_type": column}
    assert Channel.Name(channel)[8:] in error.message


@pytest.mark.parametrize(("channel", "column"), CELLS, ids=[f"{Channel.Name(ch)[8:]}-{col}" for ch, col in CELLS])
def test_every_channel_and_content_type_adapt(channel: int, column: str) -> None:
    content = SAMPLES[column]
    if column in SEED_OUTBOUND[channel]:
        result = plan(channel, content, ADAPT)
        assert (result.adapted, result.adaptations) == (None, ())
        return
    if column == "TEMPLATE":
        error = rejects(channel, content, ADAPT)
        assert error.reason is Reason.CONTENT_NOT_SUPPORTED
        assert "no other form" in error.violations[0].description
        return
    adaptation, body = ADAPTED_TEXT[column]
    result = plan(channel, content, ADAPT)
    assert result.adapted == text(body)
    assert len(result.adaptations) == 1 and result.adaptations[0].startswith(adaptation + ": ")
    if channel == SMS:
        assert (result.sms_encoding, result.segment_count) == (SmsEncoding.SMS_ENCODING_GSM7, 1)


def test_adapt_card_on_mms_becomes_its_image_with_a_caption() -> None:
    content = c.Content(card=card("Tea", actions=2, description="Green", media=c.Media(kind=c.MEDIA_KIND_IMAGE, url=IMG)))
    result = plan(MMS, content, ADAPT)
    assert result.adapted == media(c.MEDIA_KIND_IMAGE, caption="Tea\nGreen\n1. Buy 0\n2. Buy 1")
    assert result.adaptations[0].startswith("content.card -> media with caption: MMS cannot carry carousel content")


def test_adapt_card_with_audio_on_mms_falls_back_to_text() -> None:
    content = c.Content(card=card("Song", media=c.Media(kind=c.MEDIA_KIND_AUDIO, url="https://example.com/s.mp3")))
    assert plan(MMS, content, ADAPT).adapted == text("Song\nhttps://example.com/s.mp3")


@pytest.mark.parametrize(
    ("channel", "content", "expected", "adaptation"),
    [
        (WHATSAPP, choice(4), list_rows([4]), "content.choice -> list: has 4 buttons; WHATSAPP allows 3"),
        (WHATSAPP, choice(11), None, "content.choice -> numbered text: has 11 buttons; WHATSAPP allows 3"),
        (WHATSAPP, carousel(1), c.Content(card=card("Card 0")), "content.carousel -> card: has 1 cards; WHATSAPP carousels have 2-10"),
        (RCS, carousel(11), None, "content.carousel -> text: has 11 cards; RCS carousels have 2-10"),
        (MESSENGER, choice(14, ChoiceStyle.CHOICE_STYLE_QUICK_REPLIES), None, "content.choice -> numbered text: has 14 quick replies; MESSENGER allows 13"),
    ],
    ids=["whatsapp-4-buttons-become-a-list", "whatsapp-11-buttons-become-text", "whatsapp-1-card-carousel-becomes-a-card",
         "rcs-11-cards-become-text", "messenger-14-quick-replies-become-text"],
)
def test_adapt_over_a_limit_picks_the_richest_form_that_fits(channel: int, content: c.Content, expected: c.Content | None, adaptation: str) -> None:
    result = plan(channel, content, ADAPT)
    if expected is not None and expected.WhichOneof("kind") == "list":
        expected.list.text, expected.list.button_text = "Pick one", transcode.LIST_BUTTON_TEXT
        for i, row in enumerate(expected.list.sections[0].rows):
            row.id = row.title = f"Opt{i}"
        expected.list.sections[0].title = ""
    assert result.adapted == (expected or text(transcode.as_text(content)))
    assert result.adaptations == (adaptation,)


def test_adapt_keeps_the_adapted_forms_limit_error_on_the_callers_field() -> None:
    error = rejects(SMS, choice(20, label="A long option label"), ADAPT, sms_max_segments=1)
    assert error.reason is Reason.TOO_MANY_SEGMENTS
    assert fields(error) == ["content.choice"]
    assert error.violations[0].description.startswith("adapted to numbered text, text.body needs 4 SMS segments")


def test_strict_reports_every_broken_limit_with_the_first_reason() -> None:
    content = c.Content(choice=c.Choice(text="Pick", actions=[reply("Yes"), reply("No"), reply("Maybe"), reply("x" * 21)]))
    error = rejects(WHATSAPP, content)
    assert error.reason is Reason.TOO_MANY_ACTIONS
    assert fields(error) == ["content.choice.actions", "content.choice.actions[3].text"]


def _push_text(total_bytes: int) -> c.Content:
    overhead = limits.encoded_size(text("a"), c.ChannelOptions()) - 1  # {"text":{"body":""}}
    return text("a" * (total_bytes - overhead))


def _rcs_image(total_bytes: int) -> c.Content:
    overhead = limits.encoded_size(media(c.MEDIA_KIND_IMAGE, url="https://example.com/"), c.ChannelOptions())
    return media(c.MEDIA_KIND_IMAGE, url="https://example.com/" + "a" * (total_bytes - overhead))


# (id, channel, build(n), limit, reason, field); build(limit) passes, build(limit + 1) fails.
BOUNDARIES: list[tuple[str, int, Callable[[int], c.Content], int, Reason, str]] = [
    ("sms-gsm7-10-segments", SMS, lambda n: text("a" * n), 1530, Reason.TOO_MANY_SEGMENTS, "content.text.body"),
    # An escape pair never splits across parts: 76 per part of 153 septets.
    ("sms-gsm7-extension-counts-twice", SMS, lambda n: text("€" * n), 760, Reason.TOO_MANY_SEGMENTS, "content.text.body"),
    ("sms-ucs2-10-segments", SMS, lambda n: text("ж" * n), 670, Reason.TOO_MANY_SEGMENTS, "content.text.body"),
    ("mms-text", MMS, lambda n: text("a" * n), 1600, Reason.TEXT_TOO_LONG, "content.text.body"),
    ("mms-caption", MMS, lambda n: media(c.MEDIA_KIND_IMAGE, caption="a" * n, size_bytes=1000), 1600, Reason.TEXT_TOO_LONG, "content.media.caption"),
    ("rcs-text", RCS, lambda n: text("a" * n), 3072, Reason.TEXT_TOO_LONG, "content.text.body"),
    ("rcs-suggestions", RCS, lambda n: choice(n, ChoiceStyle.CHOICE_STYLE_SUGGESTIONS), 11, Reason.TOO_MANY_ACTIONS, "content.choice.actions"),
    ("rcs-suggestion-chars", RCS, lambda n: choice(1, label="s" * n), 25, Reason.TEXT_TOO_LONG, "content.choice.actions[0].text"),
    ("rcs-carousel-max", RCS, carousel, 10, Reason.CARD_COUNT_OUT_OF_RANGE, "content.carousel.cards"),
    ("rcs-card-title", RCS, lambda n: c.Content(card=card("t" * n)), 200, Reason.TEXT_TOO_LONG, "content.card.title"),
    ("rcs-payload-250kb", RCS, _rcs_image, 250_000, Reason.PAYLOAD_TOO_LARGE, "content"),
    ("rcs-card-suggestions", RCS, lambda n: c.Content(card=card(actions=n)), 4, Reason.TOO_MANY_ACTIONS, "content.card.actions"),
    ("whatsapp-text", WHATSAPP, lambda n: text("a" * n), 4096, Reason.TEXT_TOO_LONG, "content.text.body"),
    ("whatsapp-buttons", WHATSAPP, choice, 3, Reason.TOO_MANY_ACTIONS, "content.choice.actions"),
    ("whatsapp-button-title", WHATSAPP, lambda n: choice(1, label="b" * n), 20, Reason.TEXT_TOO_LONG, "content.choice.actions[0].text"),
    ("whatsapp-list-rows-over-sections", WHATSAPP, lambda n: list_rows([5, n - 5]), 10, Reason.TOO_MANY_ACTIONS, "content.list.sections"),
    ("whatsapp-list-row-title", WHATSAPP, lambda n: c.Content(list=c.ListPicker(text="Menu", sections=[c.ListSection(rows=[c.ListRow(id="r", title="t" * n)])])),
     24, Reason.TEXT_TOO_LONG, "content.list.sections[0].rows[0].title"),
    ("whatsapp-caption", WHATSAPP, lambda n: media(c.MEDIA_KIND_IMAGE, caption="a" * n), 1024, Reason.TEXT_TOO_LONG, "content.media.caption"),
    ("whatsapp-carousel-max", WHATSAPP, carousel, 10, Reason.CARD_COUNT_OUT_OF_RANGE, "content.carousel.cards"),
    ("messenger-text", MESSENGER, lambda n: text("a" * n), 2000, Reason.TEXT_TOO_LONG, "content.text.body"),
    ("messenger-quick-replies", MESSENGER, lambda n: choice(n, ChoiceStyle.CHOICE_STYLE_QUICK_REPLIES), 13, Reason.TOO_MANY_ACTIONS, "content.choice.actions"),
    ("messenger-buttons", MESSENGER, lambda n: choice(n, ChoiceStyle.CHOICE_STYLE_BUTTONS), 3, Reason.TOO_MANY_ACTIONS, "content.choice.actions"),
    ("messenger-generic-template-elements", MESSENGER, carousel, 10, Reason.CARD_COUNT_OUT_OF_RANGE, "content.carousel.cards"),
    ("messenger-card-title", MESSENGER, lambda n: c.Content(card=card("t" * n)), 80, Reason.TEXT_TOO_LONG, "content.card.title"),
    ("apple-quick-replies", APPLE, lambda n: choice(n, ChoiceStyle.CHOICE_STYLE_QUICK_REPLIES), 5, Reason.TOO_MANY_ACTIONS, "content.choice.actions"),
    ("apple-text", APPLE, lambda n: text("a" * n), 4096, Reason.TEXT_TOO_LONG, "content.text.body"),
    ("push-payload-4kb", PUSH, _push_text, 4096, Reason.PAYLOAD_TOO_LARGE, "content"),
]


@pytest.mark.parametrize(("channel", "build", "limit", "reason", "field"), [b[1:] for b in BOUNDARIES], ids=[b[0] for b in BOUNDARIES])
def test_limit_at_its_boundary(channel: int, build: Callable[[int], c.Content], limit: int, reason: Reason, field: str) -> None:
    plan(channel, build(limit))
    error = rejects(channel, build(limit + 1))
    assert error.reason is reason
    assert fields(error) == [field]
    assert ("at most 10 are allowed" if reason is Reason.TOO_MANY_SEGMENTS else str(limit)) in error.violations[0].description


@pytest.mark.parametrize("channel", [RCS, WHATSAPP])
def test_carousels_need_two_cards(channel: int) -> None:
    plan(channel, carousel(2))
    error = rejects(channel, carousel(1))
    assert (error.reason, fields(error)) == (Reason.CARD_COUNT_OUT_OF_RANGE, ["content.carousel.cards"])


def test_push_payload_counts_the_push_options() -> None:
    options = c.ChannelOptions(push=c.PushOptions(title="Hi"))
    content = _push_text(4096)
    assert limits.encoded_size(content, options) > 4096
    assert rejects(PUSH, content, options=options).reason is Reason.PAYLOAD_TOO_LARGE


@pytest.mark.parametrize(
    ("max_segments", "body", "ok"),
    [(1, "a" * 160, True), (1, "a" * 161, False), (1, "ж" * 70, True), (1, "ж" * 71, False), (2, "a" * 306, True), (2, "a" * 307, False)],
    ids=["gsm7-160", "gsm7-161", "ucs2-70", "ucs2-71", "gsm7-306", "gsm7-307"],
)
def test_sms_max_segments_is_configurable(max_segments: int, body: str, ok: bool) -> None:
    if ok:
        assert plan(SMS, text(body), sms_max_segments=max_segments).segment_count == max_segments
    else:
        assert rejects(SMS, text(body), sms_max_segments=max_segments).reason is Reason.TOO_MANY_SEGMENTS


def test_sms_channel_content_counts_segments_too() -> None:
    request = messaging_pb2.SendMessageRequest(recipient="+15551234567", channel_content=c.ChannelContent(sms=c.SmsContent(text="a" * 161)))
    with pytest.raises(GatewayError) as raised:
        validation.check_send(request, SMS, NOW_US, 1)
    assert (raised.value.reason, fields(raised.value)) == (Reason.TOO_MANY_SEGMENTS, ["channel_content.sms.text"])


def test_unknown_mms_carrier_is_an_invalid_field() -> None:
    error = rejects(MMS, media(c.MEDIA_KIND_IMAGE), options=c.ChannelOptions(mms=c.MmsOptions(carrier="o2")))
    assert (error.reason, fields(error)) == (Reason.INVALID_FIELD, ["options.mms.carrier"])


@pytest.mark.parametrize(
    ("number_type", "carrier", "limit"),
    [
        (LONG_CODE, "", 500_000),  # the strictest carrier: US Cellular
        (LONG_CODE, "att", 1_000_000),
        (LONG_CODE, "verizon", 1_200_000),
        (SHORT_CODE, "sprint", 2_000_000),
        (SHORT_CODE, "tmobile", 1_000_000),
        (SHORT_CODE, "uscellular", 500_000),
        (TOLL_FREE, "", 525_000),
        (TOLL_FREE, "sprint", 525_000),
        (0, "", 500_000),  # an identity without a number type gets the strictest of all
    ],
)
def test_mms_size_limit_at_its_boundary(number_type: int, carrier: str, limit: int) -> None:
    limits.check_mms_size([limits.SizedMedia("content.media", limit)], number_type, carrier)
    with pytest.raises(GatewayError) as raised:
        limits.check_mms_size([limits.SizedMedia("content.media", limit + 1)], number_type, carrier)
    assert raised.value.reason is Reason.MEDIA_TOO_LARGE
    assert fields(raised.value) == ["content.media.size_bytes"]
    assert raised.value.metadata == {"limit_bytes": str(limit), "size_bytes": str(limit + 1)}


def test_mms_media_are_counted_together_and_over_500_kb_warns() -> None:
    two = [limits.SizedMedia("channel_content.mms.media[0]", 300_000), limits.SizedMedia("channel_content.mms.media[1]", 200_000)]
    assert limits.check_mms_size(two, LONG_CODE, "verizon") == []
    three = [*two, limits.SizedMedia("channel_content.mms.media[2]", 1)]
    assert limits.check_mms_size(three, LONG_CODE, "verizon") == ["MMS media total 500001 bytes is over the 500000 bytes carriers recommend; some handsets may not receive it"]
    with pytest.raises(GatewayError) as raised:
        limits.check_mms_size(three, LONG_CODE, "")
    assert fields(raised.value) == ["channel_content.mms.media.size_bytes"]


def test_inbound_media_expiry_follows_retention() -> None:
    day_us = 24 * 3600 * 1_000_000
    assert capabilities.inbound_media_expiry_us(MMS, NOW_US) == NOW_US + 2 * day_us
    assert capabilities.inbound_media_expiry_us(WHATSAPP, NOW_US) == NOW_US + 14 * day_us
    assert capabilities.inbound_media_expiry_us(SMS, NOW_US) is None


def test_list_and_dial_actions_as_text() -> None:
    content = c.Content(list=c.ListPicker(title="Menu", text="Pick a drink", sections=[
        c.ListSection(title="Hot", rows=[c.ListRow(id="tea", title="Tea", description="Green"), c.ListRow(id="cof", title="Coffee")]),
        c.ListSection(title="Cold", rows=[c.ListRow(id="ice", title="Iced tea")]),
    ]))
    assert transcode.as_text(content) == "Menu\nPick a drink\nHot\n1. Tea - Green\n2. Coffee\nCold\n3. Iced tea"
    dial = c.Content(choice=c.Choice(text="Help?", actions=[c.Action(text="Call us", dial=c.Dial(phone_number="+15551234567")), c.Action(text="Where", share_location=c.ShareLocation())]))
    assert transcode.as_text(dial) == "Help?\n1. Call us: +15551234567\n2. Where"
