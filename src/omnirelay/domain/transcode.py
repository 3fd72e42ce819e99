"""Adapting content to what a channel carries (ADAPTATION_MODE_ADAPT). Pure: no I/O.

Content that breaks the channel's rules is replaced by the richest form the channel does carry:
reply buttons beyond the channel's count become a list, then numbered text; a card becomes its
image with a caption, then text; a carousel of one card becomes that card, else text, card after
card; media becomes a link, a location a maps link, a contact card text. Templates and products
live at the provider and have no other form.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from omnirelay.domain.capabilities import ChannelRules, channel_name, content_type, type_name
from omnirelay.domain.errors import Reason
from omnirelay.domain.limits import Problem, content_problems, problems_error
from omnirelay.v1 import content_pb2
from omnirelay.v1.content_pb2 import Content

MAPS_URL = "https://www.google.com/maps/search/?api=1&query={latitude},{longitude}"
LIST_BUTTON_TEXT = "Options"


@dataclass(frozen=True)
class Fitted:
    """The content to send and, when it was adapted, how."""

    content: Content
    adaptations: tuple[str, ...] = ()


def fit(content: Content, rules: ChannelRules, options: content_pb2.ChannelOptions, adapt: bool) -> Fitted:
    """`content` as `rules`' channel carries it; raises the first broken rule's reason when it
    breaks one and `adapt` is off, or when no adapted form fits either."""
    problems = content_problems(content, "content", rules, options)
    if not problems:
        return Fitted(content)
    kind = content.WhichOneof("kind")
    metadata = {"channel": channel_name(rules.channel), "content_type": type_name(content_type(content))}
    if not adapt:
        raise problems_error(problems, metadata)
    failed: list[Problem] = []
    for form, candidate in alternatives(content):
        candidate_problems = content_problems(candidate, "content", rules, options)
        if not candidate_problems:
            return Fitted(candidate, (f"content.{kind} -> {form}: {problems[0].description}",))
        # Keep the field the caller sent; say which adapted form broke which rule.
        failed = [Problem(f"content.{kind}", f"adapted to {form}, {p.field.removeprefix('content.')} {p.description}", p.reason) for p in candidate_problems]
    if not failed:
        failed = [Problem(p.field, f"{p.description}; it has no other form to adapt to", p.reason) if p.reason is Reason.CONTENT_NOT_SUPPORTED else p for p in problems]
    raise problems_error(failed, metadata)


def alternatives(content: Content) -> Iterator[tuple[str, Content]]:
    """Other forms of `content`, richest first, as (name of the form, content)."""
    kind = content.WhichOneof("kind")
    if kind == "choice" and all(a.WhichOneof("kind") == "reply" for a in content.choice.actions):
        rows = [content_pb2.ListRow(id=a.postback_data or a.text, title=a.text) for a in content.choice.actions]
        picker = content_pb2.ListPicker(text=content.choice.text, button_text=LIST_BUTTON_TEXT, sections=[content_pb2.ListSection(rows=rows)])
        yield "list", Content(list=picker)
    if kind == "card" and content.card.HasField("media"):
        media = content_pb2.Media()
        media.CopyFrom(content.card.media)
        media.caption = _lines(content.card.title, content.card.description, *_numbered(content.card.actions))
        yield "media with caption", Content(media=media)
    if kind == "carousel" and len(content.carousel.cards) == 1:
        yield "card", Content(card=content.carousel.cards[0])
    form = _TEXT_FORM.get(kind or "")
    if form is not None:
        yield form, Content(text=content_pb2.Text(body=as_text(content)))


_TEXT_FORM = {
    "media": "link",
    "location": "maps link",
    "contact": "text",
    "choice": "numbered text",
    "list": "numbered text",
    "card": "text",
    "carousel": "text",
}


def as_text(content: Content) -> str:
    """The text form of a content, for channels that carry only text."""
    kind = content.WhichOneof("kind")
    if kind == "text":
        return content.text.body
    if kind == "media":
        return _lines(content.media.caption, content.media.url)
    if kind == "location":
        loc = content.location
        return _lines(loc.name, loc.address, MAPS_URL.format(latitude=loc.latitude, longitude=loc.longitude))
    if kind == "contact":
        c = content.contact
        return _lines(c.formatted_name or _lines(c.first_name, c.last_name).replace("\n", " "), c.organization, *c.phone_numbers, *c.emails, *c.urls)
    if kind == "choice":
        return _lines(content.choice.text, *_numbered(content.choice.actions))
    if kind == "list":
        lines: list[str] = [content.list.title, content.list.text]
        number = 0
        for section in content.list.sections:
            lines.append(section.title)
            for row in section.rows:
                number += 1
                lines.append(f"{number}. {row.title}" + (f" - {row.description}" if row.description else ""))
        return _lines(*lines)
    if kind == "card":
        return _card_text(content.card)
    if kind == "carousel":
        return "\n\n".join(_card_text(card) for card in content.carousel.cards)
    raise ValueError(f"{kind} content has no text form")


def _card_text(card: content_pb2.Card) -> str:
    return _lines(card.title, card.description, card.media.url if card.HasField("media") else "", *_numbered(card.actions))


def _numbered(actions: Sequence[content_pb2.Action]) -> list[str]:
    return [f"{i}. {_action_text(a)}" for i, a in enumerate(actions, 1)]


def _action_text(action: content_pb2.Action) -> str:
    kind = action.WhichOneof("kind")
    if kind == "open_url":
        return f"{action.text}: {action.open_url.url}"
    if kind == "dial":
        return f"{action.text}: {action.dial.phone_number}"
    return action.text


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)
