"""Meta's webhook contract, the same for WhatsApp and Messenger: a GET subscription handshake
(hub.mode=subscribe, hub.verify_token, hub.challenge echoed back) and POSTs signed with
X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>."""

from __future__ import annotations

import hmac
import json
from typing import Any

from omnirelay.channels.base import WebhookRejected, WebhookRequest, WebhookResult
from omnirelay.channels.signing import check_signature
from omnirelay.store.directory import IdentityRecord

SIGNATURE_HEADER = "x-hub-signature-256"


def handshake(identity: IdentityRecord, request: WebhookRequest) -> WebhookResult:
    """Answer Meta's GET that subscribes the callback URL: the challenge, if the token matches."""
    expected = identity.credentials.get("verify_token", "")
    given = request.query.get("hub.verify_token", "")
    if request.query.get("hub.mode") != "subscribe" or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookRejected(403, "hub.mode is not subscribe or hub.verify_token does not match")
    return WebhookResult(body=request.query.get("hub.challenge", "").encode())


def verified_payload(identity: IdentityRecord, request: WebhookRequest, expected_object: str) -> dict[str, Any]:
    """A POST's JSON body once its signature is checked (constant time) and its `object` is
    the channel's ("whatsapp_business_account" or "page")."""
    if request.method != "POST":
        raise WebhookRejected(405, "only GET (the handshake) and POST")
    app_secret = identity.credentials.get("app_secret")
    if not app_secret:
        raise WebhookRejected(403, "the identity has no app_secret credential")
    check_signature(request, SIGNATURE_HEADER, app_secret)
    try:
        payload = json.loads(request.body)
    except ValueError as error:
        raise WebhookRejected(400, f"not JSON: {error}") from None
    if not isinstance(payload, dict) or payload.get("object") != expected_object:
        raise WebhookRejected(400, f"expected an object of {expected_object!r}")
    return payload
