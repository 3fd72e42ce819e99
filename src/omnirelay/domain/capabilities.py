"""What each channel carries and its limits, as data in one place.

Sources: the seed's capability matrix, MMS carrier table and media retention
(../seed/messages-api-overview.txt); the providers' documented limits (WhatsApp Cloud API,
RCS Business Messaging, Messenger Send API, FCM/APNs). ListChannels returns this table as it is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from omnirelay.v1 import content_pb2
from omnirelay.v1.channels_pb2 import ContentType
from omnirelay.v1.common_pb2 import CHANNEL_SMS, Channel
from omnirelay.v1.identities_pb2 import NumberType

TEXT = ContentType.CONTENT_TYPE_TEXT
IMAGE = ContentType.CONTENT_TYPE_IMAGE
AUDIO = ContentType.CONTENT_TYPE_AUDIO
VIDEO = ContentType.CONTENT_TYPE_VIDEO
FILE = ContentType.CONTENT_TYPE_FILE
LOCATION = ContentType.CONTENT_TYPE_LOCATION
TEMPLATE = ContentType.CONTENT_TYPE_TEMPLATE
BUTTONS = ContentType.CONTENT_TYPE_BUTTONS
CAROUSEL = ContentType.CONTENT_TYPE_CAROUSEL
CONTACT = ContentType.CONTENT_TYPE_CONTACT

OUTBOUND_ALL = frozenset({TEXT, IMAGE, AUDIO, VIDEO, FILE, LOCATION, TEMPLATE, BUTTONS, CAROUSEL, CONTACT})
INBOUND_ALL = frozenset({TEXT, IMAGE, AUDIO, VIDEO, FILE, LOCATION, CONTACT})

DEFAULT_MAX_TEXT = 4096  # the gateway's own cap where a channel documents none
DEFAULT_SMS_MAX_SEGMENTS = 10
KB, MB = 1000, 1_000_000  # decimal: the smaller reading of the carriers' "KB" and "MB"
MMS_RECOMMENDED_MEDIA_BYTES = 500 * KB
DAY_SECONDS = 24 * 3600

LONG_CODE = NumberType.NUMBER_TYPE_LONG_CODE
SHORT_CODE = NumberType.NUMBER_TYPE_SHORT_CODE
TOLL_FREE = NumberType.NUMBER_TYPE_TOLL_FREE

# carrier -> (long code, short code, toll-free) bytes, the seed's "MMS File Size Limits" table.
_MMS_CARRIER_TABLE = {
    "att": (1 * MB, 1 * MB, 525 * KB),
    "verizon": (1_200 * KB, 1_200 * KB, 525 * KB),
    "tmobile": (1 * MB, 1 * MB, 525 * KB),
    "sprint": (2 * MB, 2 * MB, 525 * KB),
    "uscellular": (500 * KB, 500 * KB, 525 * KB),
}
MMS_SIZE_LIMITS: dict[tuple[str, int], int] = {
    (carrier, number_type): limit
    for carrier, limits in _MMS_CARRIER_TABLE.items()
    for number_type, limit in zip((LONG_CODE, SHORT_CODE, TOLL_FREE), limits, strict=True)
}
MMS_CARRIERS = tuple(_MMS_CARRIER_TABLE)


@dataclass(frozen=True)
class ChannelLimits:
    """Field for field the ChannelLimits message of channels.proto; 0 means no limit of its own."""

    max_text_chars: int = DEFAULT_MAX_TEXT
    max_caption_chars: int = 0
    max_buttons: int = 0
    max_quick_replies: int = 0
    max_suggestions: int = 0
    max_action_chars: int = 0
    max_list_rows: int = 0
    max_list_row_chars: int = 0
    max_card_actions: int = 0
    min_carousel_cards: int = 0
    max_carousel_cards: int = 0
    max_card_title_chars: int = 0
    max_payload_bytes: int = 0
    max_segments: int = 0
    recommended_media_bytes: int = 0


@dataclass(frozen=True)
class ChannelRules:
    channel: int
    outbound: frozenset[int]
    inbound: frozenset[int]
    limits: ChannelLimits = field(default_factory=ChannelLimits)
    inbound_media_retention_seconds: int = 0


CHANNELS: dict[int, ChannelRules] = {
    r.channel: r
    for r in (
        # Text only; length is bounded by the segment count (--sms-max-segments).
        ChannelRules(Channel.CHANNEL_SMS, frozenset({TEXT}), frozenset({TEXT}),
                     ChannelLimits(max_text_chars=0, max_segments=DEFAULT_SMS_MAX_SEGMENTS)),
        # 1600 characters: the body limit of Twilio-compatible MMS APIs.
        ChannelRules(Channel.CHANNEL_MMS, frozenset({TEXT, IMAGE}), frozenset({TEXT, IMAGE}),
                     ChannelLimits(max_text_chars=1600, max_caption_chars=1600, recommended_media_bytes=MMS_RECOMMENDED_MEDIA_BYTES),
                     inbound_media_retention_seconds=2 * DAY_SECONDS),
        # RBM: text 3072, 11 suggestions of 25 characters (4 on a rich card), card titles 200,
        # carousels 2-10 cards, 250 KB per agent message. Lists go out as suggestions.
        ChannelRules(Channel.CHANNEL_RCS, OUTBOUND_ALL, INBOUND_ALL,
                     ChannelLimits(max_text_chars=3072, max_caption_chars=2000, max_buttons=11, max_quick_replies=11,
                                   max_suggestions=11, max_action_chars=25, max_list_rows=11, max_list_row_chars=25,
                                   max_card_actions=4, min_carousel_cards=2, max_carousel_cards=10,
                                   max_card_title_chars=200, max_payload_bytes=250 * KB)),
        # Cloud API: text 4096, interactive body and captions 1024, 3 reply buttons of 20
        # characters, lists of 10 rows (titles 24), carousels 2-10 cards with 2 buttons each.
        ChannelRules(Channel.CHANNEL_WHATSAPP, OUTBOUND_ALL, INBOUND_ALL,
                     ChannelLimits(max_text_chars=4096, max_caption_chars=1024, max_buttons=3, max_quick_replies=3,
                                   max_suggestions=3, max_action_chars=20, max_list_rows=10, max_list_row_chars=24,
                                   max_card_actions=2, min_carousel_cards=2, max_carousel_cards=10),
                     inbound_media_retention_seconds=14 * DAY_SECONDS),
        # Apple documents a quick reply of at most 5 items; other limits are the gateway's own.
        ChannelRules(Channel.CHANNEL_APPLE, OUTBOUND_ALL, INBOUND_ALL,
                     ChannelLimits(max_quick_replies=5)),
        # FCM and APNs: 4 KB per notification payload.
        ChannelRules(Channel.CHANNEL_PUSH, frozenset({TEXT, IMAGE, AUDIO, VIDEO, FILE, LOCATION}), frozenset(),
                     ChannelLimits(max_payload_bytes=4096)),
        # Send API: text 2000, button template text 640 with 3 buttons of 20 characters,
        # 13 quick replies, generic template (carousel) of 1-10 elements with titles of 80.
        ChannelRules(Channel.CHANNEL_MESSENGER, OUTBOUND_ALL, INBOUND_ALL,
                     ChannelLimits(max_text_chars=2000, max_caption_chars=640, max_buttons=3, max_quick_replies=13,
                                   max_suggestions=13, max_action_chars=20, max_list_rows=13, max_list_row_chars=20,
                                   max_card_actions=3, min_carousel_cards=1, max_carousel_cards=10, max_card_title_chars=80)),
    )
}

MEDIA_KIND_TYPE = {
    content_pb2.MediaKind.MEDIA_KIND_IMAGE: IMAGE,
    content_pb2.MediaKind.MEDIA_KIND_AUDIO: AUDIO,
    content_pb2.MediaKind.MEDIA_KIND_VIDEO: VIDEO,
    content_pb2.MediaKind.MEDIA_KIND_FILE: FILE,
}
_KIND_TYPE = {
    "text": TEXT, "location": LOCATION, "contact": CONTACT, "template": TEMPLATE,
    "choice": BUTTONS, "list": BUTTONS, "card": CAROUSEL, "carousel": CAROUSEL, "product": CAROUSEL,
}


@functools.cache  # a handful of channels and one configured segment limit
def rules_for(channel: int, sms_max_segments: int = DEFAULT_SMS_MAX_SEGMENTS) -> ChannelRules:
    """A channel's rules, with the gateway's configured SMS segment limit."""
    rules = CHANNELS[channel]
    if channel == CHANNEL_SMS:
        return replace(rules, limits=replace(rules.limits, max_segments=sms_max_segments))
    return rules


def content_type(content: content_pb2.Content) -> int:
    """The matrix column of a content (UNSPECIFIED for inbound-only choice replies)."""
    kind = content.WhichOneof("kind")
    if kind == "media":
        return MEDIA_KIND_TYPE.get(content.media.kind, ContentType.CONTENT_TYPE_UNSPECIFIED)
    return _KIND_TYPE.get(kind or "", ContentType.CONTENT_TYPE_UNSPECIFIED)


def type_name(content_type_: int) -> str:
    return ContentType.Name(content_type_).removeprefix("CONTENT_TYPE_")


def channel_name(channel: int) -> str:
    return Channel.Name(channel).removeprefix("CHANNEL_")


def mms_size_limit(number_type: int, carrier: str) -> int:
    """The most media bytes an MMS may carry: the named carrier's limit for the number type, or
    without a carrier the strictest one, so the message fits every carrier. An identity that does
    not declare its number type gets the strictest of all."""
    types = (number_type,) if number_type in (LONG_CODE, SHORT_CODE, TOLL_FREE) else (LONG_CODE, SHORT_CODE, TOLL_FREE)
    carriers = (carrier,) if carrier else MMS_CARRIERS
    return min(MMS_SIZE_LIMITS[(c, t)] for c in carriers for t in types)


def inbound_media_expiry_us(channel: int, receive_us: int) -> int | None:
    """When the provider deletes inbound media (MMS 2 days, WhatsApp 14), if the channel says."""
    seconds = CHANNELS[channel].inbound_media_retention_seconds
    return receive_us + seconds * 1_000_000 if seconds else None
