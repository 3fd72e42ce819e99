"""Input checks for requests: each problem becomes a field violation naming the field."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

from omnirelay.domain import capabilities, sms, transcode
from omnirelay.domain.errors import FieldViolation, Reason, invalid
from omnirelay.domain.limits import channel_content_problems, problems_error
from omnirelay.domain.ratelimit import RATE_SETTING, rate_problem
from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import CHANNEL_SMS, SMS_ENCODING_UNSPECIFIED, Channel, SmsEncoding

PHONE_CHANNELS = frozenset({Channel.CHANNEL_SMS, Channel.CHANNEL_MMS, Channel.CHANNEL_WHATSAPP, Channel.CHANNEL_RCS})
MAX_TEXT = 4096
MAX_METADATA_PAIRS = 32
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
MAX_REQUEST_ID = 128
MAX_ADDRESS = 4096  # push device tokens are long

# channel_content case -> the only channel that may carry it
CHANNEL_CONTENT_CHANNEL = {
    "sms": Channel.CHANNEL_SMS,
    "mms": Channel.CHANNEL_MMS,
    "whatsapp": Channel.CHANNEL_WHATSAPP,
    "rcs": Channel.CHANNEL_RCS,
    "apple": Channel.CHANNEL_APPLE,
    "push": Channel.CHANNEL_PUSH,
    "messenger": Channel.CHANNEL_MESSENGER,
}


@dataclass(frozen=True)
class SendPlan:
    """What validation learned about a send: the normalized recipient, SMS segmentation and, in
    ADAPT mode, the adapted content with how it was adapted (None: send the content as it is)."""

    recipient: str
    sms_encoding: int = SmsEncoding.SMS_ENCODING_UNSPECIFIED
    segment_count: int = 0
    adapted: content_pb2.Content | None = None
    adaptations: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


class Violations:
    """Collects every problem in a request so the caller can fix them all at once."""

    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.items.append(FieldViolation(field, description))

    def raise_if_any(self, reason: Reason = Reason.INVALID_FIELD) -> None:
        if self.items:
            raise invalid(self.items, reason)


def normalize_address(channel: int, address: str, field: str, v: Violations) -> str:
    address = address.strip()
    if not address:
        v.add(field, "is required")
        return address
    if len(address) > MAX_ADDRESS:
        v.add(field, f"is longer than {MAX_ADDRESS} characters")
        return address
    if channel in PHONE_CHANNELS:
        e164, problem = _e164(address)
        if problem:
            v.add(field, problem)
            return address
        return e164
    return address


@functools.lru_cache(maxsize=65536)
def _e164(address: str) -> tuple[str, str]:
    """(the E.164 form, "") or ("", what is wrong). Cached: parsing is a third of a send's
    validation, and senders write to the same numbers again and again."""
    try:
        number = phonenumbers.parse(address, None)
    except phonenumbers.NumberParseException:
        return "", "must be an E.164 phone number such as +15551234567"
    if not phonenumbers.is_possible_number(number):
        return "", "is not a possible phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def _check_url(url: str, field: str, v: Violations) -> None:
    if not url:
        v.add(field, "is required")
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        v.add(field, "must be an absolute http(s) URL")


def _check_text(text: str, field: str, v: Violations, required: bool = True) -> None:
    if required and not text.strip():
        v.add(field, "is required")
    elif len(text) > MAX_TEXT:
        v.add(field, f"is longer than {MAX_TEXT} characters")


def _check_media(media: content_pb2.Media, field: str, v: Violations) -> None:
    if media.kind == content_pb2.MediaKind.MEDIA_KIND_UNSPECIFIED:
        v.add(f"{field}.kind", "is required: IMAGE, AUDIO, VIDEO or FILE")
    _check_url(media.url, f"{field}.url", v)
    if media.size_bytes < 0:
        v.add(f"{field}.size_bytes", "must not be negative")


def _check_action(action: content_pb2.Action, field: str, v: Violations) -> None:
    _check_text(action.text, f"{field}.text", v)
    kind = action.WhichOneof("kind")
    if kind is None:
        v.add(f"{field}.kind", "is required: reply, open_url, dial or share_location")
    elif kind == "open_url":
        _check_url(action.open_url.url, f"{field}.open_url.url", v)
    elif kind == "dial":
        normalize_address(Channel.CHANNEL_SMS, action.dial.phone_number, f"{field}.dial.phone_number", v)


def _check_card(card: content_pb2.Card, field: str, v: Violations) -> None:
    if not (card.title or card.description or card.HasField("media")):
        v.add(field, "needs a title, a description or media")
    if card.HasField("media"):
        _check_media(card.media, f"{field}.media", v)
    for i, action in enumerate(card.actions):
        _check_action(action, f"{field}.actions[{i}]", v)


def check_content(content: content_pb2.Content, field: str, v: Violations, inbound: bool = False) -> None:
    kind = content.WhichOneof("kind")
    if kind is None:
        v.add(field, "must set one kind: text, media, location, contact, template, choice, list, card, carousel or product")
    elif kind == "text" and not content.text.body.strip():
        # Its length is the channel's business (limits.py): SMS counts segments, others characters.
        v.add(f"{field}.text.body", "is required")
    elif kind == "media":
        _check_media(content.media, f"{field}.media", v)
    elif kind == "location":
        loc = content.location
        if not -90 <= loc.latitude <= 90:
            v.add(f"{field}.location.latitude", "must be between -90 and 90")
        if not -180 <= loc.longitude <= 180:
            v.add(f"{field}.location.longitude", "must be between -180 and 180")
    elif kind == "contact":
        c = content.contact
        if not (c.formatted_name or c.first_name or c.last_name):
            v.add(f"{field}.contact.formatted_name", "is required (or first_name / last_name)")
    elif kind == "template":
        if not content.template.name:
            v.add(f"{field}.template.name", "is required")
        if not content.template.language:
            v.add(f"{field}.template.language", "is required, e.g. en_US")
        if content.template.HasField("header_media"):
            _check_media(content.template.header_media, f"{field}.template.header_media", v)
    elif kind == "choice":
        _check_text(content.choice.text, f"{field}.choice.text", v)
        if not content.choice.actions:
            v.add(f"{field}.choice.actions", "needs at least one action")
        for i, action in enumerate(content.choice.actions):
            _check_action(action, f"{field}.choice.actions[{i}]", v)
    elif kind == "list":
        _check_text(content.list.text, f"{field}.list.text", v)
        if not content.list.sections:
            v.add(f"{field}.list.sections", "needs at least one section")
        for i, section in enumerate(content.list.sections):
            if not section.rows:
                v.add(f"{field}.list.sections[{i}].rows", "needs at least one row")
            for j, row in enumerate(section.rows):
                if not row.id:
                    v.add(f"{field}.list.sections[{i}].rows[{j}].id", "is required")
                if not row.title:
                    v.add(f"{field}.list.sections[{i}].rows[{j}].title", "is required")
    elif kind == "card":
        _check_card(content.card, f"{field}.card", v)
    elif kind == "carousel":
        if not content.carousel.cards:
            v.add(f"{field}.carousel.cards", "needs at least one card")
        for i, card in enumerate(content.carousel.cards):
            _check_card(card, f"{field}.carousel.cards[{i}]", v)
    elif kind == "product":
        if not content.product.catalog_id:
            v.add(f"{field}.product.catalog_id", "is required")
        if not content.product.product_ids:
            v.add(f"{field}.product.product_ids", "needs at least one product id")
    elif kind == "choice_reply":
        if not inbound:
            v.add(f"{field}.choice_reply", "is for inbound messages only")
        elif not (content.choice_reply.postback_data or content.choice_reply.text):
            v.add(f"{field}.choice_reply", "needs postback_data or text")


def _check_channel_content(content: content_pb2.ChannelContent, v: Violations) -> None:
    case = content.WhichOneof("channel")
    field = f"channel_content.{case}"
    if case == "sms":
        _check_text(content.sms.text, f"{field}.text", v)
    elif case == "mms":
        _check_text(content.mms.text, f"{field}.text", v, required=not content.mms.media)
        for i, media in enumerate(content.mms.media):
            _check_media(media, f"{field}.media[{i}]", v)
    elif case == "whatsapp" and content.whatsapp.WhichOneof("kind") is None:
        v.add(field, "must set sticker, reaction or custom")
    elif case == "whatsapp" and content.whatsapp.HasField("sticker"):
        _check_media(content.whatsapp.sticker, f"{field}.sticker", v)
    elif case == "push" and not content.push.data:
        v.add(f"{field}.data", "needs at least one key")
    elif case in ("rcs", "apple", "messenger") and not getattr(content, case).custom.fields:
        v.add(f"{field}.custom", "is required")


def check_metadata(metadata: dict[str, str], field: str, v: Violations) -> None:
    if len(metadata) > MAX_METADATA_PAIRS:
        v.add(field, f"has more than {MAX_METADATA_PAIRS} pairs")
    for key, value in metadata.items():
        if not key or len(key) > MAX_METADATA_KEY:
            v.add(f"{field}[{key!r}]", f"keys must be 1-{MAX_METADATA_KEY} characters")
        if len(value) > MAX_METADATA_VALUE:
            v.add(f"{field}[{key!r}]", f"values must be at most {MAX_METADATA_VALUE} characters")


def check_send(request: messaging_pb2.SendMessageRequest, channel: int, now_us: int, sms_max_segments: int = capabilities.DEFAULT_SMS_MAX_SEGMENTS) -> SendPlan:
    """Validate a SendMessage request against its identity's channel: well-formed first
    (INVALID_FIELD), then the channel's capabilities and limits, adapting the content in ADAPT
    mode. MMS media sizes are checked by the caller, which may have to ask the media's host."""
    channel_case = request.channel_content.WhichOneof("channel")
    if channel_case and CHANNEL_CONTENT_CHANNEL[channel_case] != channel:
        raise invalid(
            [FieldViolation(f"channel_content.{channel_case}", f"is for {Channel.Name(CHANNEL_CONTENT_CHANNEL[channel_case])}, the identity is {Channel.Name(channel)}")],
            Reason.CHANNEL_CONTENT_MISMATCH,
        )
    v = Violations()
    recipient = normalize_address(channel, request.recipient, "recipient", v)
    has_content = request.HasField("content")
    has_channel_content = request.HasField("channel_content")
    if not has_content and not has_channel_content:
        v.add("content", "is required (or channel_content)")
    elif has_content and has_channel_content:
        v.add("channel_content", "set either content or channel_content, not both")
    elif has_content:
        check_content(request.content, "content", v)
    elif channel_case is None:
        v.add("channel_content", "must set one channel")
    else:
        _check_channel_content(request.channel_content, v)
    check_metadata(dict(request.metadata), "metadata", v)
    if len(request.request_id) > MAX_REQUEST_ID:
        v.add("request_id", f"is longer than {MAX_REQUEST_ID} characters")
    if request.HasField("expire_time") and request.expire_time.ToMicroseconds() <= now_us:
        v.add("expire_time", "is in the past")
    carrier = request.options.mms.carrier
    if carrier and carrier not in capabilities.MMS_CARRIERS:
        v.add("options.mms.carrier", f"must be one of {', '.join(capabilities.MMS_CARRIERS)}")
    v.raise_if_any()
    rules = capabilities.rules_for(channel, sms_max_segments)
    if has_content:
        adapt = request.adaptation_mode == content_pb2.ADAPTATION_MODE_ADAPT
        fitted = transcode.fit(request.content, rules, request.options, adapt)
        text = fitted.content.text.body if fitted.content.WhichOneof("kind") == "text" else None
        adapted = fitted.content if fitted.adaptations else None
        return SendPlan(recipient, *sms_segmentation(channel, text), adapted=adapted, adaptations=fitted.adaptations)
    problems = channel_content_problems(request.channel_content, rules, request.options)
    if problems:
        raise problems_error(problems)
    text = request.channel_content.sms.text if channel_case == "sms" else None
    return SendPlan(recipient, *sms_segmentation(channel, text))


def sms_segmentation(channel: int, text: str | None) -> tuple[int, int]:
    """(encoding, segments) of a text sent on `channel`; (UNSPECIFIED, 0) off SMS or without text."""
    if channel != CHANNEL_SMS or text is None:
        return SMS_ENCODING_UNSPECIFIED, 0
    seg = sms.segment(text)
    return seg.encoding, seg.segments


@dataclass(frozen=True)
class AdapterRequirements:
    """What an adapter asks of an identity: its channels and the settings and credentials it needs."""

    channels: frozenset[int]
    settings: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()


def check_identity(identity: identities_pb2.ChannelIdentity, adapters: Mapping[str, AdapterRequirements], creating: bool) -> str:
    """Validate an identity being created (or the fields of an update); returns its normalized address."""
    v = Violations()
    address = identity.address
    if creating:
        if identity.channel == Channel.CHANNEL_UNSPECIFIED:
            v.add("channel_identity.channel", "is required")
        else:
            address = normalize_address(identity.channel, identity.address, "channel_identity.address", v)
        if not identity.adapter:
            v.add("channel_identity.adapter", f"is required: one of {', '.join(sorted(adapters))}")
    if len(identity.display_name) > 256:
        v.add("channel_identity.display_name", "is longer than 256 characters")
    for part in ("settings", "credentials"):
        if any(not key or len(key) > 64 for key in getattr(identity, part)):
            v.add(f"channel_identity.{part}", "keys must be 1-64 characters")
    rate = rate_problem(identity.settings)
    if rate is not None:
        v.add(f"channel_identity.settings[{RATE_SETTING!r}]", rate)
    v.raise_if_any()
    if not creating:
        return address
    required = adapters.get(identity.adapter)
    if required is None:
        raise invalid(
            [FieldViolation("channel_identity.adapter", f"unknown or disabled adapter {identity.adapter!r}; available: {', '.join(sorted(adapters)) or 'none'}")],
            Reason.UNKNOWN_ADAPTER,
        )
    if identity.channel not in required.channels:
        served = ", ".join(sorted(Channel.Name(c).removeprefix("CHANNEL_") for c in required.channels))
        v.add("channel_identity.channel", f"the {identity.adapter!r} adapter does not serve {Channel.Name(identity.channel).removeprefix('CHANNEL_')}; it serves {served}")
    for key in required.settings:
        if not identity.settings.get(key):
            v.add(f"channel_identity.settings[{key!r}]", f"is required by the {identity.adapter!r} adapter")
    for key in required.credentials:
        if not identity.credentials.get(key):
            v.add(f"channel_identity.credentials[{key!r}]", f"is required by the {identity.adapter!r} adapter")
    v.raise_if_any()
    return address
