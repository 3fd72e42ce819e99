"""The adapter against an SMSC we did not write: smpp34.Server (Rust core) on 127.0.0.1. Our codec
talks to our own simulator too, so this catches a symmetric mistake on both sides."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import smpp34
from omnirelay.v1 import identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.app import Gateway
from omnirelay.domain import status as st
from tests.channels.smpp.conftest import RECIPIENT, SENDER, send
from tests.conftest import Client, wait_for_status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def server() -> AsyncIterator[tuple[smpp34.Server, int]]:
    port = free_port()
    srv = smpp34.Server("127.0.0.1", port, system_id="smpp34")
    await srv.start()
    try:
        yield srv, port
    finally:
        await srv.stop()


async def test_submit_receipt_and_mo_with_smpp34(gateway: Gateway, client: Client, server: tuple[smpp34.Server, int]) -> None:
    srv, port = server
    await client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id="smpp",
        channel_identity=identities_pb2.ChannelIdentity(
            channel=Channel.CHANNEL_SMS, address=SENDER, adapter="smpp",
            settings={"host": "127.0.0.1", "port": str(port), "system_id": "omnirelay"}, credentials={"password": "pw"},
        ),
    ))
    sent = await client.messaging.SendMessage(send("Grüße 😀"))
    async with asyncio.timeout(5):
        esme = await srv.next()
        assert isinstance(esme, smpp34.Esme) and esme.system_id == "omnirelay"
        submit = await srv.next()
    assert isinstance(submit, smpp34.SubmitSmEvent)
    assert (submit.destination_addr, submit.data_coding, submit.registered_delivery) == (RECIPIENT[1:], 8, 1)
    assert submit.short_message.decode("utf-16-be") == "Grüße 😀"
    submit.accept("A1B2")
    assert (await wait_for_status(client, sent.name, st.SENT)).provider_message_ids == [str(0xA1B2)]

    receipt = b"id:A1B2 sub:001 dlvrd:001 submit date:2411261200 done date:2411261200 stat:DELIVRD err:000 text:"
    answer = await esme.deliver_sm(SENDER[1:], receipt, source_addr=RECIPIENT[1:], esm_class=0x04)
    assert answer.command_status == 0
    assert (await wait_for_status(client, sent.name, st.DELIVERED)).status == st.DELIVERED

    answer = await esme.deliver_sm(SENDER[1:], b"STOP", source_addr=RECIPIENT[1:], source_addr_ton=1)
    assert answer.command_status == 0
    listed = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(filter='direction = "INBOUND"'))
    assert [(m.sender, m.content.text.body) for m in listed.messages] == [(RECIPIENT, "STOP")]
