"""A simulated provider. It accepts every content type, then reports DELIVERED and READ after
configurable delays. Magic recipients (after Twilio's test numbers) script the failures:

| recipient      | behaviour                                         |
|----------------|---------------------------------------------------|
| +15005550001   | permanent failure at send (message FAILED)        |
| +15005550002   | transient failure on the first attempt, then sent |
| +15005550003   | sent, but no status report ever arrives           |
| +15005550004   | sent, then an UNDELIVERED report                  |

Callbacks (statuses and customer messages) can be posted to the identity's webhook URL; see
webhook.py. Identity settings override the defaults: `delivered_delay_ms`, `read_delay_ms`, `send_delay_ms`
(how long the simulated provider takes to accept a message).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from google.protobuf.json_format import MessageToDict

from omnirelay.channels.base import (
    AdapterContext,
    AdapterSpec,
    ErrorClass,
    OutboundMessage,
    ProviderPayload,
    SendError,
    SendResult,
    StatusReport,
    WebhookRequest,
    WebhookResult,
)
from omnirelay.channels.sandbox import webhook
from omnirelay.domain import status as st
from omnirelay.domain.errors import FailureCode, GatewayError, Reason
from omnirelay.domain.validation import AdapterRequirements
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import Channel, MessageError
from omnirelay.v1.messaging_pb2 import Message

PERMANENT_FAILURE = "+15005550001"
TRANSIENT_THEN_SENT = "+15005550002"
NO_REPORT = "+15005550003"
UNDELIVERED = "+15005550004"
REPORT_RETRY_DELAYS = (0.1, 0.2, 0.5, 1, 2, 4, 8, 15, 30)


@dataclass(frozen=True)
class SandboxDefaults:
    delivered_delay_ms: int = 200
    read_delay_ms: int = 1000
    send_delay_ms: int = 0


class SandboxAdapter:
    def __init__(self, identity: IdentityRecord, context: AdapterContext, defaults: SandboxDefaults) -> None:
        self._identity = identity
        self._reports = context.reports

        def setting(name: str, default: int) -> int:
            return int(identity.settings.get(name, default))

        self._delivered_delay = setting("delivered_delay_ms", defaults.delivered_delay_ms) / 1000
        self._read_delay = setting("read_delay_ms", defaults.read_delay_ms) / 1000
        self._send_delay = setting("send_delay_ms", defaults.send_delay_ms) / 1000
        self._pending: set[asyncio.Task[None]] = set()

    async def send(self, outbound: OutboundMessage) -> SendResult:
        if self._send_delay:
            await asyncio.sleep(self._send_delay)
        recipient = outbound.message.recipient
        if recipient == PERMANENT_FAILURE:
            raise SendError(ErrorClass.BAD_RECIPIENT, "sandbox: this number cannot receive messages", "21211")
        if recipient == TRANSIENT_THEN_SENT and outbound.attempt == 1:
            raise SendError(ErrorClass.TRANSIENT, "sandbox: provider temporarily unavailable", "503", retry_after=0.05)
        provider_id = f"sbx-{os.urandom(8).hex()}"
        if recipient != NO_REPORT:
            task = asyncio.create_task(self._report(provider_id, recipient))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
        return SendResult([provider_id])

    async def _report(self, provider_id: str, recipient: str) -> None:
        await asyncio.sleep(self._delivered_delay)
        if recipient == UNDELIVERED:
            error = MessageError(code=FailureCode.UNDELIVERABLE.name, description="sandbox: handset unreachable", permanent=True, provider_code="30003")
            await self._hand_over(self._status(provider_id, st.UNDELIVERED, "undelivered", error))
            return
        await self._hand_over(self._status(provider_id, st.DELIVERED, "delivered"))
        await asyncio.sleep(max(self._read_delay - self._delivered_delay, 0))
        await self._hand_over(self._status(provider_id, st.READ, "read"))

    async def _hand_over(self, report: StatusReport) -> None:
        """As a provider retries a callback the gateway did not acknowledge: a report that meets
        the store down (STORE_UNAVAILABLE) is offered again, for about a minute."""
        for delay in REPORT_RETRY_DELAYS:
            try:
                await self._reports.status(report)
                return
            except GatewayError as error:
                if error.reason is not Reason.STORE_UNAVAILABLE:
                    raise
            await asyncio.sleep(delay)
        await self._reports.status(report)

    async def handle_webhook(self, request: WebhookRequest) -> WebhookResult:
        webhook.verify(self._identity, request)
        return webhook.parse(self._identity, request.body)

    def _status(self, provider_id: str, status: int, code: str, error: MessageError | None = None) -> StatusReport:
        return StatusReport(self._identity.account_id, self._identity.id, provider_id, status, code, error)

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)


def render(identity: IdentityRecord, message: Message) -> ProviderPayload:
    """The sandbox "provider" takes the content as it is."""
    body = {"from": identity.address, "to": message.recipient}
    if message.HasField("channel_content"):
        body["channel_content"] = MessageToDict(message.channel_content)
    else:
        body["content"] = MessageToDict(message.content)
    return [body]


def spec(defaults: SandboxDefaults, exclusive: bool = False) -> AdapterSpec:
    """`exclusive`: act as an adapter whose connections one replica at a time may hold (SMPP)."""
    return AdapterSpec(
        name="sandbox",
        requirements=AdapterRequirements(frozenset(Channel.values()) - {Channel.CHANNEL_UNSPECIFIED}),
        factory=lambda identity, context: SandboxAdapter(identity, context, defaults),
        render=render,
        exclusive=exclusive,
    )
