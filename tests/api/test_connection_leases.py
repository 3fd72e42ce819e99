"""An adapter with exclusive connections (the sandbox acting as SMPP would): the gateway leases
each of its identities before serving it, sends through it, and releases the leases on stop.
Two replicas and a takeover: tests/system/test_replicas.py."""

from __future__ import annotations

import asyncio

import pytest
from omnirelay.v1 import content_pb2, messaging_pb2
from sqlalchemy import select

from omnirelay.app import Gateway
from omnirelay.domain import status as st
from omnirelay.store.schema import connection_leases
from tests.conftest import Client, create_identity, wait_for_status

pytestmark = pytest.mark.settings(sandbox_exclusive=True, connection_lease_seconds=0.6)


async def _leases(gateway: Gateway) -> list[tuple[str, str, str]]:
    def read(conn: object) -> list[tuple[str, str, str]]:
        rows = conn.execute(select(connection_leases.c.account_id, connection_leases.c.identity_id, connection_leases.c.owner))  # type: ignore[attr-defined]
        return [tuple(r) for r in rows]

    return await gateway.db.read(read)


async def test_the_lease_holder_serves_the_identity_and_releases_it_on_stop(gateway: Gateway, client: Client) -> None:
    await create_identity(client)
    assert gateway.connections is not None
    for _ in range(100):
        if gateway.connections.held:
            break
        await asyncio.sleep(0.02)
    assert gateway.connections.held == {("acme", "sms")}
    assert await _leases(gateway) == [("acme", "sms", gateway.dispatcher.owner)]
    sent = await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="hi")),
    ))
    assert (await wait_for_status(client, sent.name, st.READ)).status == st.READ
    await gateway.connections.stop()
    assert await _leases(gateway) == []
