"""Twilio's callbacks: form posts signed with X-Twilio-Signature, base64(HMAC-SHA1(auth_token,
URL + each parameter name and value, sorted by name)). A post with MessageStatus (or SmsStatus)
other than `received` is a status report; one without is a customer's message, whose media
URLs the provider deletes after two days."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit

import structlog

from omnirelay.channels.base import InboundReport, StatusReport, WebhookRejected, WebhookRequest, WebhookResult
from omnirelay.channels.twilio.codes import CALLBACK_ERRORS, RECIPIENT_CODES
from omnirelay.domain import status as st
from omnirelay.domain.clock import to_timestamp
from omnirelay.domain.errors import FailureCode
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import MessageError
from omnirelay.v1.content_pb2 import ChannelContent, Content, Media, MediaKind, MmsContent, Text

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "x-twilio-signature"
# Twilio takes an empty TwiML document as "no reply".
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
MEDIA_LIFETIME_US = 2 * 24 * 3600 * 1_000_000
INBOUND_STATUSES = frozenset({"received", "receiving"})

STATUSES = {
    # Twilio has the message (queued, sending) or has handed it on (sent): our SENT.
    "accepted": st.SENT,
    "scheduled": st.SENT,
    "queued": st.SENT,
    "sending": st.SENT,
    "sent": st.SENT,
    "delivered": st.DELIVERED,
    "read": st.READ,
    "undelivered": st.UNDELIVERED,
    "failed": st.FAILED,
    "canceled": st.FAILED,
}
FAILURE_CODES = {st.UNDELIVERED: FailureCode.UNDELIVERABLE, st.FAILED: FailureCode.PROVIDER_REJECTED}
MEDIA_KINDS = {"image": MediaKind.MEDIA_KIND_IMAGE, "audio": MediaKind.MEDIA_KIND_AUDIO, "video": MediaKind.MEDIA_KIND_VIDEO}


def signature(auth_token: str, url: str, params: Mapping[str, list[str]]) -> str:
    """X-Twilio-Signature of a post of `params` to `url` (repeated values sorted, as Twilio does)."""
    signed = url + "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def verify(identity: IdentityRecord, request: WebhookRequest) -> None:
    if request.method != "POST":
        raise WebhookRejected(405, "only POST")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given:
        raise WebhookRejected(403, "missing X-Twilio-Signature")
    token = identity.credentials.get("auth_token")
    if not token:  # required at creation, but an update may have dropped it
        raise WebhookRejected(403, "the identity has no auth_token credential")
    if not any(hmac.compare_digest(given, signature(token, url, request.form)) for url in _signed_urls(request.url)):
        raise WebhookRejected(403, "bad X-Twilio-Signature (is the identity's auth_token the provider's, and its webhook_url the one configured there?)")


def _signed_urls(url: str) -> tuple[str, str]:
    """The URL, and the same URL with its port dropped (or the default one added): Twilio
    signs some URLs without their port, so its own validators accept both."""
    parts = urlsplit(url)
    if parts.port is not None:
        netloc = parts.netloc.rsplit(":", 1)[0]
    else:
        netloc = f"{parts.netloc}:{443 if parts.scheme == 'https' else 80}"
    return url, parts._replace(netloc=netloc).geturl()


def parse(identity: IdentityRecord, request: WebhookRequest, received_us: int) -> WebhookResult:
    form = request.form
    if not form:
        raise WebhookRejected(400, "expected an application/x-www-form-urlencoded Twilio callback")
    status = _first(form, "MessageStatus") or _first(form, "SmsStatus")
    if status and status not in INBOUND_STATUSES:
        report = _status(identity, form, status)
        return WebhookResult(statuses=[report] if report else [], status=204)
    return WebhookResult(inbound=[_inbound(identity, form, received_us)], body=EMPTY_TWIML, content_type="text/xml")


def _status(identity: IdentityRecord, form: Mapping[str, list[str]], name: str) -> StatusReport | None:
    sid = _required(form, "MessageSid")
    status = STATUSES.get(name)
    if status is None:  # a status this adapter does not know yet: acknowledge, store nothing
        log.warning("twilio_status_ignored", identity=identity.id, provider_message_id=sid, status=name)
        return None
    code = _first(form, "ErrorCode")
    error = None
    if status in st.PROVIDER_FAILURES:
        failure = FailureCode.RECIPIENT_INVALID if code in RECIPIENT_CODES else FAILURE_CODES[status]
        detail = _first(form, "ErrorMessage") or CALLBACK_ERRORS.get(code, "")
        description = f"twilio: {name}" + (f" (error {code}{': ' + detail if detail else ''})" if code else "")
        error = MessageError(code=failure.name, description=description, permanent=True, provider_code=code or name)
    return StatusReport(identity.account_id, identity.id, sid, status, code or name, error)


def _inbound(identity: IdentityRecord, form: Mapping[str, list[str]], received_us: int) -> InboundReport:
    sid = _required(form, "MessageSid")
    sender = _required(form, "From")
    body = _first(form, "Body")
    try:
        count = int(_first(form, "NumMedia") or 0)
    except ValueError:
        raise WebhookRejected(400, "NumMedia is not a number") from None
    media = [
        Media(
            kind=_media_kind(_first(form, f"MediaContentType{i}")), url=_required(form, f"MediaUrl{i}"),
            mime_type=_first(form, f"MediaContentType{i}"), expire_time=to_timestamp(received_us + MEDIA_LIFETIME_US),
        )
        for i in range(count)
    ]
    content: Content | ChannelContent
    if not media:
        content = Content(text=Text(body=body))
    elif len(media) == 1:
        media[0].caption = body
        content = Content(media=media[0])
    else:  # Content holds one media; an MMS with several is MMS-only content
        content = ChannelContent(mms=MmsContent(text=body, media=media))
    return InboundReport(identity.account_id, identity.id, sender, content, provider_message_ids=[sid])


def _media_kind(mime_type: str) -> int:
    return MEDIA_KINDS.get(mime_type.partition("/")[0], MediaKind.MEDIA_KIND_FILE)


def _first(form: Mapping[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[0] if values else ""


def _required(form: Mapping[str, list[str]], name: str) -> str:
    value = _first(form, name)
    if not value:
        raise WebhookRejected(400, f"malformed Twilio callback: no {name}")
    return value
