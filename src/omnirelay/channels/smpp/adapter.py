"""The SMPP 3.4 adapter: SMS over a transceiver bind to an SMSC.

send: one submit_sm per part, one provider id per part (canonical form, see receipts.py); the
store aggregates the parts' receipts. deliver_sm: a receipt becomes a StatusReport for its
part, anything else an inbound message once all its parts have come.
"""

from __future__ import annotations

import asyncio

import structlog

from omnirelay.channels.base import (
    AdapterContext,
    AdapterSpec,
    ErrorClass,
    InboundReport,
    OutboundMessage,
    ProviderPayload,
    SendError,
    SendResult,
    StatusReport,
)
from omnirelay.channels.smpp.mo import Reassembler, mo_part
from omnirelay.channels.smpp.pdu import Pdu, Status
from omnirelay.channels.smpp.receipts import RecentIds, is_receipt, parse_receipt
from omnirelay.channels.smpp.session import SmppSession
from omnirelay.channels.smpp.submit import SmppSettings, describe, submit_pdus
from omnirelay.domain.validation import AdapterRequirements
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import Channel
from omnirelay.v1.content_pb2 import Content, Text
from omnirelay.v1.messaging_pb2 import Message

log = structlog.get_logger(__name__)

REQUIREMENTS = AdapterRequirements(
    channels=frozenset({Channel.CHANNEL_SMS}),
    settings=("host", "port", "system_id"),
    credentials=("password",),
)
MO_REASSEMBLY_SECONDS = 300.0


class SmppAdapter:
    def __init__(self, identity: IdentityRecord, context: AdapterContext) -> None:
        self._identity = identity
        self._reports = context.reports
        self._log = log.bind(identity=identity.id, account=identity.account_id)
        self._ids = RecentIds()
        self._mo = Reassembler(MO_REASSEMBLY_SECONDS)
        try:
            self._settings: SmppSettings | None = SmppSettings.of(identity)
            self._settings_error = ""
        except ValueError as exc:
            self._settings, self._settings_error = None, str(exc)
        self.session = SmppSession(self._settings, self._on_deliver, identity.id) if self._settings else None
        if self.session is not None:
            # Bind now, not at the first send: receipts and customer messages arrive over the
            # bind too. Only the replica holding the identity's connection lease builds this.
            self.session.start()

    async def send(self, outbound: OutboundMessage) -> SendResult:
        if self._settings is None or self.session is None:
            raise SendError(ErrorClass.PERMANENT, f"identity {self._identity.id}: {self._settings_error}", "settings")
        try:
            pdus = submit_pdus(self._settings, self._identity.address, outbound.message)
        except ValueError as exc:
            raise SendError(ErrorClass.PERMANENT, str(exc), "content") from None
        # Parts go one after the other: a refused part stops the rest, and the retry resends all.
        return SendResult([self._ids.add(await self.session.submit(pdu)) for pdu in pdus])

    async def _on_deliver(self, pdu: Pdu) -> int:
        """Store what a deliver_sm carries; its deliver_sm_resp status."""
        if is_receipt(pdu):
            receipt = parse_receipt(pdu)
            if receipt is None:
                self._log.warning("smpp_receipt_without_id", short_message=pdu.get("short_message")[:160].decode("latin-1"))
                return Status.ESME_ROK  # nothing to match it to; asking again would not help
            outcome = receipt.outcome()
            await self._reports.status(StatusReport(
                self._identity.account_id, self._identity.id, self._ids.match(receipt.message_id),
                outcome.status, receipt.provider_code, receipt.error(),
            ))
            return Status.ESME_ROK
        message = self._mo.add(mo_part(pdu), asyncio.get_running_loop().time())
        if message is None:
            return Status.ESME_ROK  # a part is held until the others come
        await self._reports.inbound(InboundReport(
            self._identity.account_id, self._identity.id, message.sender, Content(text=Text(body=message.text)),
        ))
        self._mo.done(message.key)
        return Status.ESME_ROK

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


def render(identity: IdentityRecord, message: Message) -> ProviderPayload:
    """The submit_sm PDUs `send` would write, as fields; the password is in bind_transceiver only."""
    return [describe(pdu) for pdu in submit_pdus(SmppSettings.of(identity), identity.address, message)]


def spec() -> AdapterSpec:
    # An SMSC allows a system id one bind: one replica at a time holds it (dispatch/connections.py).
    return AdapterSpec(name="smpp", requirements=REQUIREMENTS, factory=SmppAdapter, render=render, exclusive=True)
