"""A Message as Messenger Send API requests: POST /{version}/me/messages, one per message object
(media with a caption is two: the attachment, then the caption as text). messaging_type is
MESSAGE_TAG with options.messenger.tag, RESPONSE otherwise. Pure: `send` and TranscodeMessage
both use it."""

from __future__ import annotations

from typing import Any

from google.protobuf.json_format import MessageToDict

from omnirelay.channels.base import ErrorClass, ProviderPayload, SendError
from omnirelay.channels.meta import graph
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.content_pb2 import Action, Card, ChoiceStyle, Content, Media, MediaKind
from omnirelay.v1.messaging_pb2 import Message

ATTACHMENT_TYPES = {
    MediaKind.MEDIA_KIND_IMAGE: "image",
    MediaKind.MEDIA_KIND_AUDIO: "audio",
    MediaKind.MEDIA_KIND_VIDEO: "video",
    MediaKind.MEDIA_KIND_FILE: "file",
}
_QUICK_STYLES = frozenset({ChoiceStyle.CHOICE_STYLE_QUICK_REPLIES, ChoiceStyle.CHOICE_STYLE_SUGGESTIONS})


def unsupported(what: str) -> SendError:
    return SendError(ErrorClass.PERMANENT, f"messenger cannot send {what}")


def render(identity: IdentityRecord, message: Message) -> ProviderPayload:
    envelope: dict[str, Any] = {"recipient": {"id": message.recipient}}
    tag = message.options.messenger.tag
    envelope.update({"messaging_type": "MESSAGE_TAG", "tag": tag} if tag else {"messaging_type": "RESPONSE"})
    if message.HasField("channel_content"):
        bodies = [MessageToDict(message.channel_content.messenger.custom)]
    else:
        bodies = _content(message.content)
    path = f"/{graph.version(identity)}/me/messages"
    return [{"method": "POST", "path": path, "json": {**envelope, "message": body}} for body in bodies]


def _content(content: Content) -> list[dict[str, Any]]:
    kind = content.WhichOneof("kind")
    if kind == "text":
        return [{"text": content.text.body}]
    if kind == "media":
        found = [_attachment(content.media)]
        return [*found, {"text": content.media.caption}] if content.media.caption else found
    if kind == "location":
        loc = content.location
        maps = f"https://www.google.com/maps/search/?api=1&query={loc.latitude},{loc.longitude}"
        element = {"title": loc.name or f"{loc.latitude}, {loc.longitude}", "buttons": [{"type": "web_url", "url": maps, "title": "Open map"}]}
        if loc.address:
            element["subtitle"] = loc.address
        return [_template("generic", elements=[element])]
    if kind == "contact":
        return [_contact(content)]
    if kind == "choice":
        choice = content.choice
        if choice.style in _QUICK_STYLES:
            return [_quick_replies(choice.text, [(a.text, a.postback_data or a.text) for a in _replies_only(choice.actions)])]
        return [_template("button", text=choice.text, buttons=[_button(a) for a in choice.actions])]
    if kind == "list":
        rows = [(row.title, row.id) for section in content.list.sections for row in section.rows]
        return [_quick_replies(content.list.text, rows)]
    if kind == "card":
        return [_template("generic", elements=[_element(content.card)])]
    if kind == "carousel":
        return [_template("generic", elements=[_element(card) for card in content.carousel.cards])]
    if kind == "product":
        return [_template("product", elements=[{"id": pid} for pid in content.product.product_ids])]
    raise unsupported(f"content of kind {kind} (Messenger has no pre-approved templates: use card, choice or channel_content.messenger.custom)")


def _attachment(media: Media) -> dict[str, Any]:
    return {"attachment": {"type": ATTACHMENT_TYPES[media.kind], "payload": {"url": media.url, "is_reusable": True}}}


def _template(template_type: str, **payload: Any) -> dict[str, Any]:
    return {"attachment": {"type": "template", "payload": {"template_type": template_type, **payload}}}


def _quick_replies(text: str, replies: list[tuple[str, str]]) -> dict[str, Any]:
    return {"text": text, "quick_replies": [{"content_type": "text", "title": title, "payload": payload} for title, payload in replies]}


def _replies_only(actions: Any) -> list[Action]:
    if any(a.WhichOneof("kind") != "reply" for a in actions):
        raise unsupported("quick replies other than text replies")
    return list(actions)


def _button(action: Action) -> dict[str, Any]:
    kind = action.WhichOneof("kind")
    if kind == "reply":
        return {"type": "postback", "title": action.text, "payload": action.postback_data or action.text}
    if kind == "open_url":
        return {"type": "web_url", "title": action.text, "url": action.open_url.url}
    if kind == "dial":
        return {"type": "phone_number", "title": action.text, "payload": action.dial.phone_number}
    raise unsupported(f"a {kind} button")


def _element(card: Card) -> dict[str, Any]:
    element: dict[str, Any] = {"title": card.title or card.description}
    if card.title and card.description:
        element["subtitle"] = card.description
    if card.HasField("media"):
        if card.media.kind != MediaKind.MEDIA_KIND_IMAGE:
            raise unsupported("a card whose media is not an image")
        element["image_url"] = card.media.url
    if card.actions:
        element["buttons"] = [_button(a) for a in card.actions]
    return element


def _contact(content: Content) -> dict[str, Any]:
    c = content.contact
    name = c.formatted_name or " ".join(p for p in (c.first_name, c.last_name) if p)
    lines = [name, c.organization, *c.phone_numbers, *c.emails, *c.urls]
    text = "\n".join(line for line in lines if line)
    buttons = [{"type": "phone_number", "title": f"Call {name}"[:20], "payload": p} for p in c.phone_numbers[:1]]
    buttons += [{"type": "web_url", "title": "Website", "url": u} for u in c.urls[:1]]
    return _template("button", text=text, buttons=buttons) if buttons else {"text": text}
