"""The sandbox offers a status report again while the store is down, as a provider retries a
callback the gateway did not acknowledge."""

from __future__ import annotations

import asyncio

import httpx
from omnirelay.v1.common_pb2 import Channel
from omnirelay.v1.messaging_pb2 import Message

from omnirelay.channels.base import AdapterContext, OutboundMessage, ReportSink, StatusReport
from omnirelay.channels.sandbox import adapter as sandbox
from omnirelay.domain import status as st
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.store.directory import IdentityRecord

IDENTITY = IdentityRecord("acme", "sms", Channel.CHANNEL_SMS, "+15551230000", "sandbox", {}, {}, 0, 1)


class FlakyStore:
    """Refuses the first `outages` reports with STORE_UNAVAILABLE, then stores."""

    def __init__(self, outages: int, error: Reason = Reason.STORE_UNAVAILABLE) -> None:
        self.outages = outages
        self.error = error
        self.stored: list[StatusReport] = []

    async def status(self, report: StatusReport) -> object:
        if self.outages:
            self.outages -= 1
            raise GatewayError(self.error, "refused")
        self.stored.append(report)
        return True

    async def unused(self, _report: object) -> object:
        raise AssertionError("not expected")


async def send_one(store: FlakyStore) -> sandbox.SandboxAdapter:
    async with httpx.AsyncClient() as http:
        context = AdapterContext(ReportSink(status=store.status, inbound=store.unused, watermark=store.unused), http)
        adapter = sandbox.SandboxAdapter(IDENTITY, context, sandbox.SandboxDefaults(delivered_delay_ms=1, read_delay_ms=2))
        await adapter.send(OutboundMessage("m1", Message(recipient="+15557654321"), 1))
        return adapter


async def test_reports_refused_while_the_store_is_down_are_offered_again() -> None:
    store = FlakyStore(outages=3)
    adapter = await send_one(store)
    for _ in range(100):
        if len(store.stored) == 2:
            break
        await asyncio.sleep(0.05)
    assert [r.status for r in store.stored] == [st.DELIVERED, st.READ]
    await adapter.close()


async def test_other_refusals_are_not_retried() -> None:
    store = FlakyStore(outages=1, error=Reason.INTERNAL)
    adapter = await send_one(store)
    await asyncio.sleep(0.3)
    assert store.stored == []  # the DELIVERED report failed for good; READ never came
    await adapter.close()
