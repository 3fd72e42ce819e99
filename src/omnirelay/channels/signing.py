"""The body signature Meta's webhooks carry (X-Hub-Signature-256) and the sandbox copies:
"sha256=" followed by the hex HMAC-SHA256 of the raw body with a shared secret."""

from __future__ import annotations

import hashlib
import hmac

from omnirelay.channels.base import WebhookRejected, WebhookRequest


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(request: WebhookRequest, header: str, secret: str) -> None:
    """Refuse (403) a request whose `header` is not the body's signature (constant time)."""
    if not hmac.compare_digest(request.headers.get(header, "").encode(), signature(secret, request.body).encode()):
        raise WebhookRejected(403, f"bad or missing {header}")
