"""Messenger Platform webhooks (object "page"): messages (text, attachments, quick-reply
payloads), postbacks, delivery and read watermarks; echoes of the page's own messages are
ignored. Every messaging event of every entry is read."""

from __future__ import annotations

from typing import Any

import structlog

from omnirelay.channels.base import InboundReport, StatusReport, WatermarkReport, WebhookRejected, WebhookResult
from omnirelay.domain import status as st
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.content_pb2 import ChoiceReply, Content, Location, Media, MediaKind, Text

log = structlog.get_logger(__name__)

_MEDIA_KINDS = {
    "image": MediaKind.MEDIA_KIND_IMAGE,
    "audio": MediaKind.MEDIA_KIND_AUDIO,
    "video": MediaKind.MEDIA_KIND_VIDEO,
    "file": MediaKind.MEDIA_KIND_FILE,
}
# A watermark is Meta's timestamp of the last message it covers, taken before Meta answered our
# send; the message's sent_time is ours, taken after. This much later still counts as covered.
WATERMARK_SLACK_US = 2_000_000


def parse(identity: IdentityRecord, payload: dict[str, Any]) -> WebhookResult:
    result = WebhookResult()
    try:
        for entry in payload.get("entry", []):
            if str(entry.get("id")) != identity.address:
                log.info("messenger_other_page_ignored", identity=identity.id, page=entry.get("id"))
                continue
            for event in entry.get("messaging", []):
                _event(identity, event, result)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise WebhookRejected(400, f"malformed Messenger callback: {error!r}") from None
    return result


def _event(identity: IdentityRecord, event: dict[str, Any], result: WebhookResult) -> None:
    user = str(event["sender"]["id"])
    if "message" in event:
        message = event["message"]
        if message.get("is_echo"):
            return  # the page's own message, sent by us or from the Page inbox
        reply_to = message.get("reply_to", {}).get("mid", "")
        for provider_id, content in _message_contents(message):
            result.inbound.append(InboundReport(identity.account_id, identity.id, user, content, [provider_id], reply_to))
    elif "postback" in event:
        postback = event["postback"]
        provider_id = postback.get("mid") or f"postback:{user}:{event['timestamp']}"
        content = Content(choice_reply=ChoiceReply(postback_data=postback.get("payload", ""), text=postback.get("title", "")))
        result.inbound.append(InboundReport(identity.account_id, identity.id, user, content, [provider_id]))
    elif "delivery" in event:
        delivery = event["delivery"]
        result.statuses.extend(StatusReport(identity.account_id, identity.id, mid, st.DELIVERED, "delivery") for mid in delivery.get("mids", []))
        result.watermarks.append(_watermark(identity, user, st.DELIVERED, delivery["watermark"], "delivery"))
    elif "read" in event:
        result.watermarks.append(_watermark(identity, user, st.READ, event["read"]["watermark"], "read"))
    else:
        log.info("messenger_event_ignored", identity=identity.id, keys=sorted(event))


def _watermark(identity: IdentityRecord, user: str, status: int, watermark_ms: int, code: str) -> WatermarkReport:
    return WatermarkReport(identity.account_id, identity.id, user, status, int(watermark_ms) * 1000 + WATERMARK_SLACK_US, code)


def _message_contents(message: dict[str, Any]) -> list[tuple[str, Content]]:
    """A message's contents with their provider ids: the mid, and mid#n for the nth attachment
    after the first (one message of ours per attachment)."""
    mid = message["mid"]
    if "quick_reply" in message:
        return [(mid, Content(choice_reply=ChoiceReply(postback_data=message["quick_reply"].get("payload", ""), text=message.get("text", ""))))]
    contents = [c for c in (_attachment(a) for a in message.get("attachments", [])) if c is not None]
    if "text" in message:
        contents.insert(0, Content(text=Text(body=message["text"])))
    return [(mid if i == 0 else f"{mid}#{i}", content) for i, content in enumerate(contents)]


def _attachment(attachment: dict[str, Any]) -> Content | None:
    kind = attachment.get("type")
    payload = attachment.get("payload") or {}
    if kind in _MEDIA_KINDS:
        return Content(media=Media(kind=_MEDIA_KINDS[kind], url=payload["url"]))
    if kind == "location":
        coordinates = payload["coordinates"]
        return Content(location=Location(latitude=float(coordinates["lat"]), longitude=float(coordinates["long"]), name=attachment.get("title", "")))
    log.info("messenger_attachment_ignored", type=kind)
    return None  # shared links ("fallback"), shared templates, stickers' likes
