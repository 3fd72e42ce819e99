"""WhatsApp Cloud API webhooks (object "whatsapp_business_account"): every change of every entry
is read, so one callback with several messages and statuses is handled whole. Customer media
arrives as a media id, resolved here to its download URL (the Graph API keeps it 14 days)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from omnirelay.channels.base import InboundReport, StatusReport, WebhookRejected, WebhookResult
from omnirelay.channels.meta import graph
from omnirelay.domain import status as st
from omnirelay.domain.errors import FailureCode
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import MessageError
from omnirelay.v1.content_pb2 import ChoiceReply, ContactCard, Content, Location, Media, MediaKind, Text

log = structlog.get_logger(__name__)

MEDIA_RETENTION_US = 14 * 24 * 3600 * 1_000_000
STATUSES = {"sent": st.SENT, "delivered": st.DELIVERED, "read": st.READ, "failed": st.FAILED}
_MEDIA_KINDS = {
    "image": MediaKind.MEDIA_KIND_IMAGE,
    "sticker": MediaKind.MEDIA_KIND_IMAGE,
    "audio": MediaKind.MEDIA_KIND_AUDIO,
    "video": MediaKind.MEDIA_KIND_VIDEO,
    "document": MediaKind.MEDIA_KIND_FILE,
}

# media id -> the Graph API's {"url", "mime_type", "sha256", "file_size"}
MediaLookup = Callable[[str], Awaitable[dict[str, Any]]]


async def parse(identity: IdentityRecord, payload: dict[str, Any], lookup: MediaLookup, now_us: int, rules: graph.ErrorRules) -> WebhookResult:
    result = WebhookResult()
    try:
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                value = change.get("value", {})
                if change.get("field") != "messages":
                    continue
                number = value.get("metadata", {}).get("phone_number_id")
                if number != identity.settings["phone_number_id"]:
                    # The app's webhook may carry other numbers' events; they are not ours.
                    log.info("whatsapp_other_number_ignored", identity=identity.id, phone_number_id=number)
                    continue
                for message in value.get("messages", []):
                    inbound = await _inbound(identity, message, lookup, now_us)
                    if inbound is not None:
                        result.inbound.append(inbound)
                for status in value.get("statuses", []):
                    report = _status(identity, status, rules)
                    if report is not None:
                        result.statuses.append(report)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise WebhookRejected(400, f"malformed WhatsApp callback: {error!r}") from None
    return result


async def _inbound(identity: IdentityRecord, message: dict[str, Any], lookup: MediaLookup, now_us: int) -> InboundReport | None:
    kind = message["type"]
    content = await _content(kind, message, lookup, now_us)
    if content is None:
        log.info("whatsapp_message_type_ignored", identity=identity.id, type=kind, provider_message_id=message.get("id"))
        return None
    return InboundReport(
        identity.account_id, identity.id, "+" + message["from"], content,
        provider_message_ids=[message["id"]], reply_to=message.get("context", {}).get("id", ""),
    )


async def _content(kind: str, message: dict[str, Any], lookup: MediaLookup, now_us: int) -> Content | None:
    if kind == "text":
        return Content(text=Text(body=message["text"]["body"]))
    if kind in _MEDIA_KINDS:
        return Content(media=await _media(kind, message[kind], lookup, now_us))
    if kind == "location":
        loc = message["location"]
        return Content(location=Location(
            latitude=float(loc["latitude"]), longitude=float(loc["longitude"]), name=loc.get("name", ""), address=loc.get("address", ""),
        ))
    if kind == "contacts":
        return Content(contact=_contact(message["contacts"][0]))
    if kind == "button":  # a template's quick-reply button
        return Content(choice_reply=ChoiceReply(postback_data=message["button"].get("payload", ""), text=message["button"].get("text", "")))
    if kind == "interactive":
        reply = message["interactive"].get(message["interactive"]["type"], {})
        return Content(choice_reply=ChoiceReply(postback_data=reply.get("id", ""), text=reply.get("title", "")))
    return None  # reactions, orders, system notices, unsupported types


async def _media(kind: str, media: dict[str, Any], lookup: MediaLookup, now_us: int) -> Media:
    found = await lookup(media["id"])
    resolved = Media(
        kind=_MEDIA_KINDS[kind], url=found["url"], mime_type=found.get("mime_type") or media.get("mime_type", ""),
        caption=media.get("caption", ""), filename=media.get("filename", ""), size_bytes=int(found.get("file_size") or 0),
    )
    resolved.expire_time.FromMicroseconds(now_us + MEDIA_RETENTION_US)
    return resolved


def _contact(contact: dict[str, Any]) -> ContactCard:
    name = contact.get("name", {})
    return ContactCard(
        formatted_name=name.get("formatted_name", ""), first_name=name.get("first_name", ""), last_name=name.get("last_name", ""),
        phone_numbers=[p["phone"] for p in contact.get("phones", []) if p.get("phone")],
        emails=[e["email"] for e in contact.get("emails", []) if e.get("email")],
        organization=contact.get("org", {}).get("company", ""),
        urls=[u["url"] for u in contact.get("urls", []) if u.get("url")],
    )


def _status(identity: IdentityRecord, status: dict[str, Any], rules: graph.ErrorRules) -> StatusReport | None:
    new = STATUSES.get(status["status"])
    if new is None:
        return None  # "deleted", "warning": no status of ours
    error = None
    provider_code = status["status"]
    if new == st.FAILED:
        first = (status.get("errors") or [{}])[0]
        code = int(first.get("code") or 0)
        rule = graph.rule_for(rules, code, 0)
        details = first.get("error_data", {}).get("details") or first.get("message") or first.get("title", "")
        provider_code = str(code)
        error = MessageError(
            code=(rule[1] if rule else FailureCode.UNDELIVERABLE).name, description=f"({code}) {details}", permanent=True, provider_code=provider_code,
        )
    return StatusReport(identity.account_id, identity.id, status["id"], new, provider_code, error)
