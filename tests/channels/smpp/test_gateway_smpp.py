"""The smpp adapter end to end: gRPC API -> gateway -> SMSC simulator on 127.0.0.1 -> receipts
and mobile-originated messages back through the API. One simulator script per fault."""

from __future__ import annotations

from omnirelay.channels.smpp.simulator import SmscSimulator
from omnirelay.domain import status as st
from tests.channels.smpp.conftest import RECIPIENT, SENDER, create_smpp_identity, send
from tests.conftest import Client, wait_for_status


async def test_send_is_submitted_and_its_receipt_delivers_it(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send("Your code is 123456"))
    done = await wait_for_status(client, sent.name, st.DELIVERED)
    assert done.status == st.DELIVERED
    assert list(done.provider_message_ids) == ["7000000001"]
    assert len(smsc.submits) == 1
    submit = smsc.submits[0]
    assert (submit.get("source_addr"), submit.get("destination_addr")) == (SENDER[1:], RECIPIENT[1:])
    assert (submit.get("source_addr_ton"), submit.get("dest_addr_ton"), submit.get("registered_delivery"), submit.get("data_coding")) == (1, 1, 1, 0)
    assert submit.get("short_message") == b"Your code is 123456"
    bind = smsc.binds[0]
    assert (bind.get("system_id"), bind.get("password"), bind.get("interface_version")) == ("omnirelay", "secret", 0x34)
