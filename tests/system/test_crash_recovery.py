"""Kill -9 the server while a message is being handed to the provider: after a restart the
lease runs out and the message is delivered. Nothing accepted is lost."""

from __future__ import annotations

import asyncio

import grpc
from omnirelay.v1 import content_pb2, messaging_pb2

from omnirelay.domain import status as st
from tests.conftest import Client, create_identity, wait_for_status
from tests.system.conftest import ServerProcess, create_key

FLAGS = ("--lease-seconds", "1", "--dispatch-poll-seconds", "0.1", "--sandbox-delivered-delay-ms", "20", "--sandbox-read-delay-ms", "40")


async def test_message_in_flight_during_a_crash_is_delivered_after_restart(database_url, servers):  # type: ignore[no-untyped-def]
    key = create_key(database_url, "acme")
    # The first server's simulated provider takes 30 s to accept: the kill lands mid-send.
    servers.append(ServerProcess(database_url, *FLAGS, "--sandbox-send-delay-ms", "30000"))
    async with grpc.aio.insecure_channel(servers[0].address) as channel:
        client = Client(channel, key)
        await create_identity(client)
        sent = await client.messaging.SendMessage(
            messaging_pb2.SendMessageRequest(identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="survive")))
        )
        in_flight = await wait_for_status(client, sent.name, st.SENDING)
        assert (in_flight.status, in_flight.attempts) == (st.SENDING, 1)
    servers[0].kill()

    servers.append(ServerProcess(database_url, *FLAGS))
    async with grpc.aio.insecure_channel(servers[1].address) as channel:
        client = Client(channel, key)
        done = await wait_for_status(client, sent.name, st.READ, timeout=15)
        assert done.status == st.READ
        assert done.attempts == 2
        assert done.content.text.body == "survive"
    assert servers[1].stop() == 0


async def test_sigterm_finishes_in_flight_sends_and_exits_cleanly(database_url, servers):  # type: ignore[no-untyped-def]
    key = create_key(database_url, "acme")
    servers.append(ServerProcess(database_url, *FLAGS))
    async with grpc.aio.insecure_channel(servers[0].address) as channel:
        client = Client(channel, key)
        await create_identity(client, send_delay_ms="300")
        request = messaging_pb2.SendMessageRequest(identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="x")))
        names = [(await client.messaging.SendMessage(request)).name for _ in range(5)]
        await asyncio.sleep(0.2)
    assert servers[0].stop() == 0
    servers.append(ServerProcess(database_url, *FLAGS))
    async with grpc.aio.insecure_channel(servers[1].address) as channel:
        client = Client(channel, key)
        for name in names:
            message = await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=name))
            # Handed over before the exit (grace), not left leased: each went to the provider once.
            assert message.status in (st.SENT, st.DELIVERED, st.READ)
            assert message.attempts == 1
