"""Provider reports at the store: receipts that beat the stored provider id, multi-part
messages, and inbound callbacks a provider repeats. Dispatch is off, so the tests play the
dispatcher's part themselves."""

from __future__ import annotations

from functools import partial

import pytest
from omnirelay.v1 import content_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel, MessageError
from sqlalchemy import Connection, insert

from omnirelay.app import Gateway
from omnirelay.channels.base import InboundReport, StatusReport
from omnirelay.domain import status as st
from omnirelay.domain.clock import now_us
from omnirelay.ingress.reports import store_inbound, store_status
from omnirelay.store.messages import StatusUpdate, SweepParkedReports
from omnirelay.store.schema import provider_refs
from tests.conftest import Client, create_identity

pytestmark = pytest.mark.settings(dispatch=False)


async def _queued(client: Client) -> str:
    await create_identity(client)
    sent = await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="hi")),
    ))
    return sent.name.rsplit("/", 1)[-1]


async def _handed_over(gateway: Gateway, message_id: str, *provider_ids: str) -> None:
    await gateway.writer.submit(StatusUpdate(now_us(), message_id=message_id, status=st.SENT, provider_message_ids=list(provider_ids), dispatch="done"))


def _report(provider_id: str, status: int, code: str = "") -> StatusReport:
    error = MessageError(code="UNDELIVERABLE", description="x", permanent=True, provider_code=code) if status in st.PROVIDER_FAILURES else None
    return StatusReport("acme", "sms", provider_id, status, code, error)


async def _status(client: Client, message_id: str) -> messaging_pb2.Message:
    return await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=f"accounts/acme/messages/{message_id}"))


async def test_receipt_before_provider_id_is_stored_applies_once_stored(gateway: Gateway, client: Client) -> None:
    message_id = await _queued(client)
    assert await store_status(gateway.writer, _report("smsc-1", st.DELIVERED, "DELIVRD")) is False  # parked
    assert (await _status(client, message_id)).status == st.QUEUED
    await _handed_over(gateway, message_id, "smsc-1")
    message = await _status(client, message_id)
    assert message.status == st.DELIVERED
    assert message.delivered_time.ToMicroseconds() > 0
    # Applied once: settling finds nothing left.
    assert await gateway.writer.submit(SweepParkedReports(now_us(), 3600 * 10**6)) == (0, 0)


async def test_parked_report_for_an_id_stored_elsewhere_is_settled_by_the_sweep(gateway: Gateway, client: Client) -> None:
    message_id = await _queued(client)
    await _handed_over(gateway, message_id, "smsc-2")
    # As if another replica parked it before this one's commit became visible.
    await gateway.writer.submit(StatusUpdate(now_us(), provider_ref=("acme", "sms", "smsc-late"), status=st.DELIVERED))
    await gateway.writer.submit(partial(_store_ref, provider_message_id="smsc-late", message_id=message_id))
    assert await gateway.writer.submit(SweepParkedReports(now_us(), 3600 * 10**6)) == (1, 0)
    assert (await _status(client, message_id)).status == st.DELIVERED


async def test_unmatched_parked_reports_are_dropped_after_their_age(gateway: Gateway, client: Client) -> None:
    await store_status(gateway.writer, _report("nobody-knows", st.DELIVERED))
    assert await gateway.writer.submit(SweepParkedReports(now_us(), 3600 * 10**6)) == (0, 0)
    assert await gateway.writer.submit(SweepParkedReports(now_us() + 2 * 3600 * 10**6, 3600 * 10**6)) == (0, 1)


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ([("p1", st.DELIVERED)], st.SENT),
        ([("p1", st.DELIVERED), ("p2", st.DELIVERED)], st.DELIVERED),
        ([("p2", st.DELIVERED), ("p1", st.DELIVERED), ("p1", st.DELIVERED)], st.DELIVERED),
        ([("p1", st.DELIVERED), ("p2", st.UNDELIVERED)], st.UNDELIVERED),
        ([("p1", st.UNDELIVERED), ("p2", st.DELIVERED)], st.UNDELIVERED),
        ([("p1", st.READ), ("p2", st.DELIVERED)], st.DELIVERED),
    ],
    ids=["one-of-two", "both", "repeat", "second-fails", "first-fails", "least-advanced-part"],
)
async def test_multipart_message_status_is_the_aggregate_of_its_parts(gateway: Gateway, client: Client, reports: list[tuple[str, int]], expected: int) -> None:
    message_id = await _queued(client)
    await _handed_over(gateway, message_id, "p1", "p2")
    for provider_id, status in reports:
        await store_status(gateway.writer, _report(provider_id, status))
    message = await _status(client, message_id)
    assert message.status == expected
    assert bool(message.error.code) == (expected in st.PROVIDER_FAILURES)


async def test_multipart_receipt_before_ids_are_stored(gateway: Gateway, client: Client) -> None:
    message_id = await _queued(client)
    await store_status(gateway.writer, _report("p1", st.DELIVERED))
    await _handed_over(gateway, message_id, "p1", "p2")
    assert (await _status(client, message_id)).status == st.SENT
    await store_status(gateway.writer, _report("p2", st.DELIVERED))
    assert (await _status(client, message_id)).status == st.DELIVERED


async def test_repeated_inbound_callback_is_stored_once(gateway: Gateway, client: Client) -> None:
    await create_identity(client)
    identity = await gateway.identities.get("acme", "sms")
    content = content_pb2.Content(text=content_pb2.Text(body="STOP"))
    report = InboundReport("acme", "sms", "+15557654321", content, provider_message_ids=["mo-1"])
    first = await store_inbound(gateway.writer, identity, report)
    again = await store_inbound(gateway.writer, identity, report)
    other = await store_inbound(gateway.writer, identity, InboundReport("acme", "sms", "+15557654321", content, provider_message_ids=["mo-2"]))
    assert again.name == first.name
    assert other.name != first.name
    listed = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(filter='direction = "INBOUND"'))
    assert sorted(m.name for m in listed.messages) == sorted([first.name, other.name])
    assert list(first.provider_message_ids) == ["mo-1"]
    assert first.channel == Channel.CHANNEL_SMS


def _store_ref(conn: Connection, provider_message_id: str, message_id: str) -> None:
    """A provider id stored without the gateway's logic (a module function: the SQLite writer
    process receives operations pickled)."""
    conn.execute(insert(provider_refs).values(account_id="acme", identity_id="sms", provider_message_id=provider_message_id, message_id=message_id))
