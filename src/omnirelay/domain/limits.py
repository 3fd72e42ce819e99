"""Channel rules applied to content: each broken rule is a Problem naming the field and its own
Reason (CONTENT_NOT_SUPPORTED, TEXT_TOO_LONG, TOO_MANY_SEGMENTS, ...). Pure: no I/O."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message as ProtoMessage

from omnirelay.domain import sms
from omnirelay.domain.capabilities import MMS_RECOMMENDED_MEDIA_BYTES, ChannelRules, channel_name, content_type, mms_size_limit, type_name
from omnirelay.domain.errors import FieldViolation, GatewayError, Reason, invalid
from omnirelay.v1 import content_pb2
from omnirelay.v1.common_pb2 import CHANNEL_SMS, SmsEncoding
from omnirelay.v1.content_pb2 import ChoiceStyle


@dataclass(frozen=True)
class Problem:
    field: str
    description: str
    reason: Reason


def problems_error(problems: Sequence[Problem], metadata: dict[str, str] | None = None) -> GatewayError:
    """One error for all problems; ErrorInfo carries the first problem's reason."""
    error = invalid([FieldViolation(p.field, p.description) for p in problems], problems[0].reason)
    error.metadata.update(metadata or {})
    return error


def encoded_size(part: ProtoMessage, options: content_pb2.ChannelOptions) -> int:
    """Bytes of the message as compact UTF-8 JSON: the content plus its push options (title,
    data, ...), which is what FCM and APNs count against their 4 KB."""
    size = len(_json(part))
    if options.HasField("push"):
        size += len(_json(options.push))
    return size


def _json(message: ProtoMessage) -> bytes:
    return json.dumps(MessageToDict(message), separators=(",", ":"), ensure_ascii=False).encode()


class _Checker:
    def __init__(self, rules: ChannelRules) -> None:
        self.rules = rules
        self.limits = rules.limits
        self.channel = channel_name(rules.channel)
        self.problems: list[Problem] = []

    def add(self, field: str, description: str, reason: Reason) -> None:
        self.problems.append(Problem(field, description, reason))

    def length(self, text: str, field: str, limit: int) -> None:
        if limit and len(text) > limit:
            self.add(field, f"is {len(text)} characters; {self.channel} allows {limit}", Reason.TEXT_TOO_LONG)

    def count(self, n: int, field: str, limit: int, what: str) -> None:
        if limit and n > limit:
            self.add(field, f"has {n} {what}; {self.channel} allows {limit}", Reason.TOO_MANY_ACTIONS)

    def sms_text(self, text: str, field: str) -> None:
        seg = sms.segment(text)
        if seg.segments > self.limits.max_segments:
            encoding = SmsEncoding.Name(seg.encoding).removeprefix("SMS_ENCODING_")
            self.add(field, f"needs {seg.segments} SMS segments ({encoding}, {seg.units} units); at most {self.limits.max_segments} are allowed", Reason.TOO_MANY_SEGMENTS)

    def actions(self, actions: Sequence[content_pb2.Action], field: str, limit: int, what: str) -> None:
        self.count(len(actions), field, limit, what)
        for i, action in enumerate(actions):
            self.length(action.text, f"{field}[{i}].text", self.limits.max_action_chars)

    def card(self, card: content_pb2.Card, field: str) -> None:
        self.length(card.title, f"{field}.title", self.limits.max_card_title_chars)
        self.length(card.description, f"{field}.description", self.limits.max_caption_chars)
        self.actions(card.actions, f"{field}.actions", self.limits.max_card_actions, "actions")

    def payload(self, part: ProtoMessage, options: content_pb2.ChannelOptions, field: str) -> None:
        limit = self.limits.max_payload_bytes
        size = encoded_size(part, options) if limit else 0
        if size > limit:
            self.add(field, f"encodes to {size} bytes; {self.channel} allows {limit}", Reason.PAYLOAD_TOO_LARGE)


def _style_limit(checker: _Checker, style: int) -> tuple[int, str]:
    limits = checker.limits
    if style == ChoiceStyle.CHOICE_STYLE_QUICK_REPLIES:
        return limits.max_quick_replies, "quick replies"
    if style == ChoiceStyle.CHOICE_STYLE_SUGGESTIONS:
        return limits.max_suggestions, "suggestions"
    return limits.max_buttons, "buttons"


def content_problems(content: content_pb2.Content, field: str, rules: ChannelRules, options: content_pb2.ChannelOptions) -> list[Problem]:
    """Everything about `content` (already well-formed) that `rules`' channel cannot carry."""
    c = _Checker(rules)
    kind = content.WhichOneof("kind")
    ctype = content_type(content)
    if ctype not in rules.outbound:
        c.add(f"{field}.{kind}", f"{c.channel} cannot carry {type_name(ctype).lower()} content", Reason.CONTENT_NOT_SUPPORTED)
        return c.problems
    limits = c.limits
    if kind == "text" and rules.channel == CHANNEL_SMS:
        c.sms_text(content.text.body, f"{field}.text.body")
    elif kind == "text":
        c.length(content.text.body, f"{field}.text.body", limits.max_text_chars)
    elif kind == "media":
        c.length(content.media.caption, f"{field}.media.caption", limits.max_caption_chars)
    elif kind == "choice":
        c.length(content.choice.text, f"{field}.choice.text", limits.max_caption_chars)
        c.actions(content.choice.actions, f"{field}.choice.actions", *_style_limit(c, content.choice.style))
    elif kind == "list":
        c.length(content.list.text, f"{field}.list.text", limits.max_caption_chars)
        c.count(sum(len(s.rows) for s in content.list.sections), f"{field}.list.sections", limits.max_list_rows, "rows")
        for i, section in enumerate(content.list.sections):
            for j, row in enumerate(section.rows):
                c.length(row.title, f"{field}.list.sections[{i}].rows[{j}].title", limits.max_list_row_chars)
    elif kind == "card":
        c.card(content.card, f"{field}.card")
    elif kind == "carousel":
        cards = len(content.carousel.cards)
        low, high = limits.min_carousel_cards, limits.max_carousel_cards
        if (low and cards < low) or (high and cards > high):
            c.add(f"{field}.carousel.cards", f"has {cards} cards; {c.channel} carousels have {low}-{high}", Reason.CARD_COUNT_OUT_OF_RANGE)
        for i, card in enumerate(content.carousel.cards):
            c.card(card, f"{field}.carousel.cards[{i}]")
    c.payload(content, options, field)
    return c.problems


def channel_content_problems(channel_content: content_pb2.ChannelContent, rules: ChannelRules, options: content_pb2.ChannelOptions) -> list[Problem]:
    """The limits that still apply to channel-specific content (its channel was checked before)."""
    c = _Checker(rules)
    case = channel_content.WhichOneof("channel")
    if case == "sms":
        c.sms_text(channel_content.sms.text, "channel_content.sms.text")
    elif case == "mms":
        c.length(channel_content.mms.text, "channel_content.mms.text", rules.limits.max_text_chars)
    c.payload(channel_content, options, "channel_content")
    return c.problems


@dataclass(frozen=True)
class SizedMedia:
    field: str
    size_bytes: int


def mms_media(content: content_pb2.Content | None, channel_content: content_pb2.ChannelContent | None) -> list[tuple[str, content_pb2.Media]]:
    """The media an MMS carries, with their fields (after adaptation)."""
    if content is not None and content.WhichOneof("kind") == "media":
        return [("content.media", content.media)]
    if channel_content is not None and channel_content.WhichOneof("channel") == "mms":
        return [(f"channel_content.mms.media[{i}]", m) for i, m in enumerate(channel_content.mms.media)]
    return []


def check_mms_size(media: Sequence[SizedMedia], number_type: int, carrier: str) -> list[str]:
    """MEDIA_TOO_LARGE when the media together exceed the carrier's limit for the number type;
    otherwise the warnings (over the 500 KB carriers recommend)."""
    total = sum(m.size_bytes for m in media)
    limit = mms_size_limit(number_type, carrier)
    if total > limit:
        whose = f"carrier {carrier!r}" if carrier else "the strictest US carrier (set options.mms.carrier when known)"
        field = media[0].field if len(media) == 1 else "channel_content.mms.media"
        raise problems_error([Problem(f"{field}.size_bytes", f"media total {total} bytes; {whose} accepts {limit} from this number type", Reason.MEDIA_TOO_LARGE)],
                             {"limit_bytes": str(limit), "size_bytes": str(total)})
    if total > MMS_RECOMMENDED_MEDIA_BYTES:
        return [f"MMS media total {total} bytes is over the {MMS_RECOMMENDED_MEDIA_BYTES} bytes carriers recommend; some handsets may not receive it"]
    return []
