"""A Message as WhatsApp Cloud API requests: POST /{version}/{phone-number-id}/messages, preceded,
when the identity uploads media (`upload_media` setting "true"), by one POST /{version}/
{phone-number-id}/media per attachment whose id the message then names ("{upload:N}" until the
upload answers). Pure: `send` and TranscodeMessage both use it."""

from __future__ import annotations

import re
from typing import Any

from google.protobuf.json_format import MessageToDict

from omnirelay.channels.base import ErrorClass, ProviderPayload, SendError
from omnirelay.channels.meta import graph
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.content_pb2 import (
    Action,
    Card,
    Content,
    Media,
    MediaKind,
    TemplateButtonKind,
    WhatsAppContent,
)
from omnirelay.v1.messaging_pb2 import Message

MEDIA_TYPES = {
    MediaKind.MEDIA_KIND_IMAGE: "image",
    MediaKind.MEDIA_KIND_AUDIO: "audio",
    MediaKind.MEDIA_KIND_VIDEO: "video",
    MediaKind.MEDIA_KIND_FILE: "document",
}
_CAPTIONED = frozenset({"image", "video", "document"})
UPLOAD_PLACEHOLDER = re.compile(r"^\{upload:(\d+)\}$")


def unsupported(what: str) -> SendError:
    return SendError(ErrorClass.PERMANENT, f"whatsapp cannot send {what}")


def render(identity: IdentityRecord, message: Message) -> ProviderPayload:
    return _Renderer(identity).render(message)


class _Renderer:
    def __init__(self, identity: IdentityRecord) -> None:
        self._prefix = f"/{graph.version(identity)}/{identity.settings['phone_number_id']}"
        self._upload = identity.settings.get("upload_media") == "true"
        self._uploads: list[dict[str, Any]] = []

    def render(self, message: Message) -> ProviderPayload:
        body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": message.recipient.lstrip("+")}
        # A provider message id can be quoted; a gateway message name cannot (WhatsApp never saw it).
        quoted = message.reply_to_provider_message_id or ("" if message.reply_to.startswith("accounts/") else message.reply_to)
        if quoted:
            body["context"] = {"message_id": quoted}
        if message.HasField("channel_content"):
            body.update(self._whatsapp_only(message.channel_content.whatsapp))
        else:
            body.update(self._content(message.content))
        return [*self._uploads, {"method": "POST", "path": f"{self._prefix}/messages", "json": body}]

    def _media(self, media: Media, kind: str, caption: bool = True) -> dict[str, Any]:
        if self._upload:
            found: dict[str, Any] = {"id": f"{{upload:{len(self._uploads)}}}"}
            self._uploads.append({
                "method": "POST", "path": f"{self._prefix}/media",
                "multipart": {"messaging_product": "whatsapp", "type": media.mime_type}, "file_url": media.url,
            })
        else:
            found = {"link": media.url}
        if caption and kind in _CAPTIONED and media.caption:
            found["caption"] = media.caption
        if kind == "document" and media.filename:
            found["filename"] = media.filename
        return found

    def _header(self, media: Media) -> dict[str, Any]:
        kind = MEDIA_TYPES[media.kind]
        if kind == "audio":
            raise unsupported("an audio header")
        return {"type": kind, kind: self._media(media, kind, caption=False)}

    def _content(self, content: Content) -> dict[str, Any]:
        kind = content.WhichOneof("kind")
        if kind == "text":
            text: dict[str, Any] = {"body": content.text.body}
            if content.text.preview_url:
                text["preview_url"] = True
            return {"type": "text", "text": text}
        if kind == "media":
            media_type = MEDIA_TYPES[content.media.kind]
            return {"type": media_type, media_type: self._media(content.media, media_type)}
        if kind == "location":
            loc = content.location
            location = {"latitude": loc.latitude, "longitude": loc.longitude}
            location.update({k: v for k, v in (("name", loc.name), ("address", loc.address)) if v})
            return {"type": "location", "location": location}
        if kind == "contact":
            return {"type": "contacts", "contacts": [_contact(content)]}
        if kind == "template":
            return {"type": "template", "template": self._template(content)}
        if kind == "choice":
            return _interactive(self._actions(content.choice.text, list(content.choice.actions), None))
        if kind == "list":
            return _interactive(_list(content))
        if kind == "card":
            return self._card(content.card)
        if kind == "carousel":
            return _interactive(self._carousel(content))
        if kind == "product":
            return _interactive(_product(content))
        raise unsupported(f"content of kind {kind}")

    def _template(self, content: Content) -> dict[str, Any]:
        t = content.template
        components: list[dict[str, Any]] = []
        if t.HasField("header_media"):
            components.append({"type": "header", "parameters": [self._header(t.header_media)]})
        elif t.header_parameters:
            components.append({"type": "header", "parameters": [{"type": "text", "text": p} for p in t.header_parameters]})
        if t.body_parameters:
            components.append({"type": "body", "parameters": [{"type": "text", "text": p} for p in t.body_parameters]})
        for button in t.button_parameters:
            if button.kind == TemplateButtonKind.TEMPLATE_BUTTON_KIND_URL:
                components.append({"type": "button", "sub_type": "url", "index": str(button.index), "parameters": [{"type": "text", "text": button.value}]})
            else:
                components.append({"type": "button", "sub_type": "quick_reply", "index": str(button.index), "parameters": [{"type": "payload", "payload": button.value}]})
        template: dict[str, Any] = {"name": t.name, "language": {"code": t.language}}
        if components:
            template["components"] = components
        return template

    def _actions(self, text: str, actions: list[Action], header: dict[str, Any] | None) -> dict[str, Any]:
        """Reply buttons, a single URL button (cta_url) or a location request."""
        kinds = {a.WhichOneof("kind") for a in actions}
        found: dict[str, Any]
        if kinds == {"reply"}:
            found = {"type": "button", "body": {"text": text}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": a.postback_data or a.text, "title": a.text}} for a in actions
            ]}}
        elif kinds == {"open_url"} and len(actions) == 1:
            found = {"type": "cta_url", "body": {"text": text}, "action": _cta_url(actions[0])}
        elif kinds == {"share_location"} and len(actions) == 1 and header is None:
            found = {"type": "location_request_message", "body": {"text": text}, "action": {"name": "send_location"}}
        else:
            raise unsupported(f"these actions together ({', '.join(sorted(str(k) for k in kinds))}): reply buttons, one URL button or one location request")
        if header is not None:
            found["header"] = header
        return found

    def _card(self, card: Card) -> dict[str, Any]:
        text = "\n".join(part for part in (card.title, card.description) if part)
        if not card.actions:
            if not card.HasField("media"):
                return {"type": "text", "text": {"body": text}}
            media_type = MEDIA_TYPES[card.media.kind]
            media = Media()
            media.CopyFrom(card.media)
            media.caption = text
            return {"type": media_type, media_type: self._media(media, media_type)}
        header = self._header(card.media) if card.HasField("media") else None
        return _interactive(self._actions(text, list(card.actions), header))

    def _carousel(self, content: Content) -> dict[str, Any]:
        if not content.carousel.text:
            raise unsupported("a carousel without carousel.text (WhatsApp shows it above the cards)")
        cards = []
        for index, card in enumerate(content.carousel.cards):
            if not card.HasField("media"):
                raise unsupported("a carousel card without an image or video")
            found: dict[str, Any] = {"card_index": index, "header": self._header(card.media)}
            text = "\n".join(part for part in (card.title, card.description) if part)
            if text:
                found["body"] = {"text": text}
            kinds = {a.WhichOneof("kind") for a in card.actions}
            if kinds == {"open_url"} and len(card.actions) == 1:
                found.update(type="cta_url", action=_cta_url(card.actions[0]))
            elif kinds == {"reply"}:
                found.update(type="button", action={"buttons": [
                    {"type": "quick_reply", "quick_reply": {"id": a.postback_data or a.text, "title": a.text}} for a in card.actions
                ]})
            else:
                raise unsupported("a carousel card without one URL button or quick-reply buttons")
            cards.append(found)
        return {"type": "carousel", "body": {"text": content.carousel.text}, "action": {"cards": cards}}

    def _whatsapp_only(self, content: WhatsAppContent) -> dict[str, Any]:
        kind = content.WhichOneof("kind")
        if kind == "sticker":
            return {"type": "sticker", "sticker": self._media(content.sticker, "sticker", caption=False)}
        if kind == "reaction":
            return {"type": "reaction", "reaction": {"message_id": content.reaction.provider_message_id, "emoji": content.reaction.emoji}}
        if kind == "custom":
            return MessageToDict(content.custom)
        raise unsupported("empty channel_content.whatsapp")


def _interactive(interactive: dict[str, Any]) -> dict[str, Any]:
    return {"type": "interactive", "interactive": interactive}


def _cta_url(action: Action) -> dict[str, Any]:
    return {"name": "cta_url", "parameters": {"display_text": action.text, "url": action.open_url.url}}


def _contact(content: Content) -> dict[str, Any]:
    c = content.contact
    name = {"formatted_name": c.formatted_name or " ".join(p for p in (c.first_name, c.last_name) if p)}
    name.update({k: v for k, v in (("first_name", c.first_name), ("last_name", c.last_name)) if v})
    contact: dict[str, Any] = {"name": name}
    if c.phone_numbers:
        contact["phones"] = [{"phone": p} for p in c.phone_numbers]
    if c.emails:
        contact["emails"] = [{"email": e} for e in c.emails]
    if c.organization:
        contact["org"] = {"company": c.organization}
    if c.urls:
        contact["urls"] = [{"url": u} for u in c.urls]
    return contact


def _list(content: Content) -> dict[str, Any]:
    picker = content.list
    found: dict[str, Any] = {
        "type": "list", "body": {"text": picker.text},
        "action": {"button": picker.button_text or "Choose", "sections": [
            {"title": s.title, "rows": [
                {"id": r.id, "title": r.title, **({"description": r.description} if r.description else {})} for r in s.rows
            ]} for s in picker.sections
        ]},
    }
    if picker.title:
        found["header"] = {"type": "text", "text": picker.title}
    return found


def _product(content: Content) -> dict[str, Any]:
    product = content.product
    if len(product.product_ids) == 1:
        found: dict[str, Any] = {"type": "product", "action": {"catalog_id": product.catalog_id, "product_retailer_id": product.product_ids[0]}}
        if product.text:
            found["body"] = {"text": product.text}
        return found
    if not product.text:
        raise unsupported("a product list without product.text (its header and body)")
    return {
        "type": "product_list",
        "header": {"type": "text", "text": product.text.splitlines()[0]},
        "body": {"text": product.text},
        "action": {"catalog_id": product.catalog_id, "sections": [
            {"title": product.text.splitlines()[0][:24], "product_items": [{"product_retailer_id": pid} for pid in product.product_ids]},
        ]},
    }
