"""The sandbox's callbacks, so the webhook ingress can be tried with curl. A POST of JSON

    {"inbound":  [{"id": "mo-1", "from": "+15557654321", "text": "hello"}],
     "statuses": [{"id": "sbx-...", "status": "delivered", "code": "000"}]}

signed with X-Sandbox-Signature: sha256=<hex HMAC-SHA256 of the body with the identity's
`webhook_secret` credential> (the scheme of Meta's X-Hub-Signature-256)."""

from __future__ import annotations

import json
from typing import Any

from omnirelay.channels.base import InboundReport, StatusReport, WebhookRejected, WebhookRequest, WebhookResult
from omnirelay.channels.signing import check_signature
from omnirelay.domain import status as st
from omnirelay.domain.errors import FailureCode
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import MessageError
from omnirelay.v1.content_pb2 import Content, Text

SIGNATURE_HEADER = "x-sandbox-signature"
STATUSES = {"sent": st.SENT, "delivered": st.DELIVERED, "read": st.READ, "undelivered": st.UNDELIVERED, "failed": st.FAILED}


def verify(identity: IdentityRecord, request: WebhookRequest) -> None:
    secret = identity.credentials.get("webhook_secret")
    if not secret:
        raise WebhookRejected(403, "the identity has no webhook_secret credential")
    if request.method != "POST":
        raise WebhookRejected(405, "only POST")
    check_signature(request, SIGNATURE_HEADER, secret)


def parse(identity: IdentityRecord, body: bytes) -> WebhookResult:
    try:
        payload = json.loads(body)
        return WebhookResult(
            inbound=[_inbound(identity, item) for item in payload.get("inbound", [])],
            statuses=[_status(identity, item) for item in payload.get("statuses", [])],
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise WebhookRejected(400, f"malformed sandbox callback: {error!r}") from None


def _inbound(identity: IdentityRecord, item: dict[str, Any]) -> InboundReport:
    return InboundReport(
        identity.account_id, identity.id, str(item["from"]), Content(text=Text(body=str(item["text"]))),
        provider_message_ids=[str(item["id"])],
    )


def _status(identity: IdentityRecord, item: dict[str, Any]) -> StatusReport:
    status = STATUSES[item["status"]]
    code = str(item.get("code", item["status"]))
    error = None
    if status in st.PROVIDER_FAILURES:
        error = MessageError(code=FailureCode.UNDELIVERABLE.name, description=f"sandbox: {item['status']}", permanent=True, provider_code=code)
    return StatusReport(identity.account_id, identity.id, str(item["id"]), status, code, error)
