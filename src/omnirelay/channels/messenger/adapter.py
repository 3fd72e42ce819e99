"""The Messenger Platform adapter (Send API). Identity: address = the Facebook page id; settings
graph_base_url, graph_version, throttle_retry_seconds; credentials page_access_token, app_secret,
verify_token."""

from __future__ import annotations

from omnirelay.channels.base import (
    AdapterContext,
    AdapterSpec,
    ErrorClass,
    OutboundMessage,
    SendError,
    SendResult,
    WebhookRequest,
    WebhookResult,
)
from omnirelay.channels.messenger import webhook
from omnirelay.channels.messenger.render import render
from omnirelay.channels.meta import graph
from omnirelay.channels.meta.webhook import handshake, verified_payload
from omnirelay.domain.errors import FailureCode
from omnirelay.domain.validation import AdapterRequirements
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import Channel

ERROR_RULES: graph.ErrorRules = {
    (10, 2018278): (ErrorClass.PERMANENT, FailureCode.OUTSIDE_SESSION_WINDOW),  # outside the 24 h window, no tag
    (100, 2018001): (ErrorClass.BAD_RECIPIENT, FailureCode.RECIPIENT_INVALID),  # no matching user
    551: (ErrorClass.BAD_RECIPIENT, FailureCode.RECIPIENT_INVALID),  # this person isn't available right now
}


class MessengerAdapter:
    def __init__(self, identity: IdentityRecord, context: AdapterContext) -> None:
        self._identity = identity
        self._graph = graph.GraphClient(identity, context.http, identity.credentials.get("page_access_token", ""), ERROR_RULES)

    async def send(self, outbound: OutboundMessage) -> SendResult:
        provider_ids = []
        for request in render(self._identity, outbound.message):
            answer = await self._graph.request(request["method"], request["path"], json=request["json"])
            if "message_id" not in answer:
                raise SendError(ErrorClass.TRANSIENT, f"messenger: no message_id in the answer {answer!r}")
            provider_ids.append(str(answer["message_id"]))
        return SendResult(provider_ids)

    async def handle_webhook(self, request: WebhookRequest) -> WebhookResult:
        if request.method == "GET":
            return handshake(self._identity, request)
        return webhook.parse(self._identity, verified_payload(self._identity, request, "page"))

    async def close(self) -> None:
        """The HTTP client is the gateway's; nothing of our own to release."""


def spec() -> AdapterSpec:
    return AdapterSpec(
        name="messenger",
        requirements=AdapterRequirements(frozenset({Channel.CHANNEL_MESSENGER}), credentials=("page_access_token", "app_secret", "verify_token")),
        factory=MessengerAdapter,
        render=render,
    )
