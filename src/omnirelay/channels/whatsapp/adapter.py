"""The WhatsApp Business Cloud API adapter. Identity: address = the business phone number
(E.164); settings phone_number_id (required), graph_base_url, graph_version, upload_media,
throttle_retry_seconds; credentials access_token, app_secret, verify_token."""

from __future__ import annotations

from typing import Any

import httpx

from omnirelay.channels.base import (
    AdapterContext,
    AdapterSpec,
    ErrorClass,
    OutboundMessage,
    SendError,
    SendResult,
    WebhookRejected,
    WebhookRequest,
    WebhookResult,
)
from omnirelay.channels.meta import graph
from omnirelay.channels.meta.webhook import handshake, verified_payload
from omnirelay.channels.whatsapp import webhook
from omnirelay.channels.whatsapp.render import UPLOAD_PLACEHOLDER, render
from omnirelay.domain.clock import now_us
from omnirelay.domain.errors import FailureCode
from omnirelay.domain.validation import AdapterRequirements
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import Channel

ERROR_RULES: graph.ErrorRules = {
    131047: (ErrorClass.PERMANENT, FailureCode.OUTSIDE_SESSION_WINDOW),  # more than 24 h since the customer wrote
    131026: (ErrorClass.BAD_RECIPIENT, FailureCode.UNDELIVERABLE),  # not on WhatsApp, old app, terms not accepted
}


class WhatsAppAdapter:
    def __init__(self, identity: IdentityRecord, context: AdapterContext) -> None:
        self._identity = identity
        self._http = context.http
        self._graph = graph.GraphClient(identity, context.http, identity.credentials.get("access_token", ""), ERROR_RULES)

    async def send(self, outbound: OutboundMessage) -> SendResult:
        media_ids: list[str] = []
        provider_ids: list[str] = []
        for request in render(self._identity, outbound.message):
            if "multipart" in request:
                media_ids.append(await self._upload(request))
                continue
            answer = await self._graph.request(request["method"], request["path"], json=_with_uploads(request["json"], media_ids))
            try:
                provider_ids.append(str(answer["messages"][0]["id"]))
            except (KeyError, IndexError, TypeError):
                raise SendError(ErrorClass.TRANSIENT, f"whatsapp: no message id in the answer {answer!r}") from None
        return SendResult(provider_ids)

    async def _upload(self, request: dict[str, Any]) -> str:
        """Fetch the caller's media, then hand it to the Graph API; its media id."""
        try:
            fetched = await self._http.get(request["file_url"])
        except httpx.TransportError as exc:
            raise SendError(ErrorClass.TRANSIENT, f"whatsapp: media {request['file_url']} unreachable: {exc!r}") from None
        if fetched.status_code >= 400:
            error_class = ErrorClass.TRANSIENT if fetched.status_code >= 500 else ErrorClass.PERMANENT
            raise SendError(error_class, f"whatsapp: media {request['file_url']} answered HTTP {fetched.status_code}")
        mime_type = request["multipart"]["type"] or fetched.headers.get("content-type", "application/octet-stream").split(";")[0]
        fields = {**request["multipart"], "type": mime_type}
        filename = request["file_url"].rsplit("/", 1)[-1].split("?")[0] or "media"
        answer = await self._graph.request(request["method"], request["path"], data=fields, files={"file": (filename, fetched.content, mime_type)})
        return str(answer["id"])

    async def handle_webhook(self, request: WebhookRequest) -> WebhookResult:
        if request.method == "GET":
            return handshake(self._identity, request)
        payload = verified_payload(self._identity, request, "whatsapp_business_account")
        return await webhook.parse(self._identity, payload, self._media_info, now_us(), ERROR_RULES)

    async def _media_info(self, media_id: str) -> dict[str, Any]:
        try:
            return await self._graph.request("GET", f"/{graph.version(self._identity)}/{media_id}")
        except SendError as error:
            # Not stored: Meta retries the whole callback later.
            raise WebhookRejected(503, f"whatsapp: media {media_id} could not be resolved: {error.description}") from None

    async def close(self) -> None:
        """The HTTP client is the gateway's; nothing of our own to release."""


def _with_uploads(value: Any, media_ids: list[str]) -> Any:
    """The message body with each "{upload:N}" replaced by the id the Nth upload returned."""
    if isinstance(value, dict):
        return {k: _with_uploads(v, media_ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_uploads(v, media_ids) for v in value]
    if isinstance(value, str) and (match := UPLOAD_PLACEHOLDER.match(value)):
        return media_ids[int(match.group(1))]
    return value


def spec() -> AdapterSpec:
    return AdapterSpec(
        name="whatsapp",
        requirements=AdapterRequirements(
            frozenset({Channel.CHANNEL_WHATSAPP}), settings=("phone_number_id",), credentials=("access_token", "app_secret", "verify_token"),
        ),
        factory=WhatsAppAdapter,
        render=render,
    )
