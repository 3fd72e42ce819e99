"""The smpp adapter end to end: gRPC API -> gateway -> SMSC simulator on 127.0.0.1 -> receipts
and mobile-originated messages back through the API. One simulator script per fault."""

from __future__ import annotations

import pytest
from omnirelay.v1 import messaging_pb2
from omnirelay.v1.common_pb2 import SmsEncoding

from omnirelay.app import Gateway
from omnirelay.channels.smpp.pdu import Status, Tag
from omnirelay.channels.smpp.simulator import SmscSimulator
from omnirelay.domain import sms
from omnirelay.domain import status as st
from tests.api.test_streams import events
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


async def test_stream_subscriber_sees_sent_then_delivered(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    reader = await events(client)
    sent = await client.messaging.SendMessage(send())
    got = await reader.collect(4)
    reader.call.cancel()
    assert [(e.message, e.status) for e in got] == [(sent.name, s) for s in (st.QUEUED, st.SENDING, st.SENT, st.DELIVERED)]
    assert list(got[2].provider_message_ids) == ["7000000001"]
    assert got[3].provider_code == "DELIVRD err:000"


@pytest.mark.smsc(throttle_first=2)
async def test_throttled_submits_slow_down_and_retry(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.DELIVERED)
    assert (done.status, done.attempts) == (st.DELIVERED, 3)
    assert [pdu.get("short_message") for pdu in smsc.submits] == [b"hello"] * 3
    # retry_after is the bind's pause, which doubles: 0.05 s, then 0.1 s.
    gaps = [b - a for a, b in zip(smsc.submit_times, smsc.submit_times[1:], strict=False)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1


@pytest.mark.smsc(throttle_first=100)
@pytest.mark.settings(max_attempts=2)
async def test_throttling_that_persists_ends_the_message_with_its_code(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.FAILED)
    assert (done.status, done.error.code, done.error.provider_code) == (st.FAILED, "RETRIES_EXHAUSTED", "0x00000058")
    assert "ESME_RTHROTTLED" in done.error.description


@pytest.mark.smsc(answer_submits=False)
@pytest.mark.settings(max_attempts=2)
async def test_no_submit_response_is_transient_until_retries_run_out(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc, response_timeout_seconds="0.3")
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.FAILED)
    assert (done.status, done.error.code, done.error.provider_code, done.attempts) == (st.FAILED, "RETRIES_EXHAUSTED", "timeout", 2)
    assert len(smsc.submits) == 2


@pytest.mark.smsc(unbind_on_first_submit=True)
async def test_unbind_during_submit_reconnects_and_resends(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.DELIVERED)
    assert (done.status, done.attempts) == (st.DELIVERED, 2)
    assert len(smsc.binds) == 2 and len(smsc.submits) == 2


@pytest.mark.parametrize(
    ("status", "message_status", "code"),
    [
        (Status.ESME_RINVDSTADR, st.FAILED, "RECIPIENT_INVALID"),
        (Status.ESME_RX_R_APPN, st.FAILED, "PROVIDER_REJECTED"),
        (Status.ESME_RINVSRCADR, st.FAILED, "PROVIDER_REJECTED"),
        (0x0401, st.FAILED, "PROVIDER_REJECTED"),  # vendor-specific
        (Status.ESME_RSYSERR, st.FAILED, "RETRIES_EXHAUSTED"),  # transient, once only here
        (Status.ESME_RMSGQFUL, st.FAILED, "RETRIES_EXHAUSTED"),  # throttling, once only here
    ],
)
@pytest.mark.settings(max_attempts=1)
async def test_every_submit_error_code_ends_up_on_the_message(client: Client, smsc: SmscSimulator, status: int, message_status: int, code: str) -> None:
    smsc.script.submit_status = status
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, message_status)
    assert (done.status, done.error.code, done.error.provider_code) == (message_status, code, f"0x{status:08X}")


@pytest.mark.smsc(password="right")
async def test_refused_bind_fails_the_message_as_auth(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc, password="wrong")
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.FAILED)
    assert (done.status, done.error.code, done.error.provider_code) == (st.FAILED, "PROVIDER_AUTH_FAILED", "0x0000000E")


@pytest.mark.parametrize(
    "receipt_form",
    [
        {"receipt_id_hex": True},
        {"receipt_id_hex": True, "receipt_tlvs": True},
        {"receipt_tlvs": True},
    ],
    ids=["hex-text", "hex-tlvs", "decimal-tlvs"],
)
async def test_receipt_ids_in_hex_or_tlvs_match_the_decimal_submit_id(client: Client, smsc: SmscSimulator, receipt_form: dict[str, bool]) -> None:
    for name, value in receipt_form.items():
        setattr(smsc.script, name, value)
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.DELIVERED)
    assert (done.status, list(done.provider_message_ids)) == (st.DELIVERED, ["7000000001"])


@pytest.mark.smsc(part_stats={1: "UNDELIV"})
async def test_undelivered_receipt_fails_with_stat_and_err(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.UNDELIVERED)
    assert (done.status, done.error.code, done.error.provider_code) == (st.UNDELIVERED, "UNDELIVERABLE", "UNDELIV err:001")


@pytest.mark.smsc(receipt_before_response=True)
async def test_receipt_before_submit_response_still_delivers(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.DELIVERED, timeout=3)
    assert done.status == st.DELIVERED
    assert smsc.receipts_acked == 1


@pytest.mark.parametrize(
    ("split", "esm_class", "tlvs"),
    [
        ("udh", 0x40, set()),
        ("sar", 0x00, {Tag.SAR_MSG_REF_NUM, Tag.SAR_TOTAL_SEGMENTS, Tag.SAR_SEGMENT_SEQNUM}),
    ],
)
async def test_long_message_goes_in_parts_with_one_provider_id_each(client: Client, smsc: SmscSimulator, split: str, esm_class: int, tlvs: set[int]) -> None:
    await create_smpp_identity(client, smsc, split=split)
    body = "".join(str(i % 10) for i in range(200))
    sent = await client.messaging.SendMessage(send(body))
    assert sent.segment_count == 2
    done = await wait_for_status(client, sent.name, st.DELIVERED)
    assert list(done.provider_message_ids) == ["7000000001", "7000000002"]
    assert [p.get("esm_class") for p in smsc.submits] == [esm_class, esm_class]
    assert [set(p.tlvs) for p in smsc.submits] == [tlvs, tlvs]
    texts = [p.get("short_message")[6:] if split == "udh" else p.get("short_message") for p in smsc.submits]
    assert b"".join(texts).decode() == body


async def test_payload_split_sends_one_submit_with_message_payload(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc, split="payload")
    body = "x" * 200
    sent = await client.messaging.SendMessage(send(body))
    done = await wait_for_status(client, sent.name, st.DELIVERED)
    assert list(done.provider_message_ids) == ["7000000001"]
    (submit,) = smsc.submits
    assert (submit.get("short_message"), submit.tlvs[Tag.MESSAGE_PAYLOAD]) == (b"", body.encode())


@pytest.mark.smsc(part_stats={2: "UNDELIV"})
async def test_message_with_a_failed_part_is_undelivered(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    sent = await client.messaging.SendMessage(send("y" * 200))
    await smsc.wait_until(lambda: smsc.receipts_acked == 2)
    done = await wait_for_status(client, sent.name, st.UNDELIVERED, timeout=1)
    assert done.status == st.UNDELIVERED


async def test_ucs2_text_goes_as_data_coding_8(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc)
    body = "Привет, 世界 \U0001F600"
    sent = await client.messaging.SendMessage(send(body))
    assert sent.sms_encoding == SmsEncoding.SMS_ENCODING_UCS2
    await wait_for_status(client, sent.name, st.DELIVERED)
    (submit,) = smsc.submits
    assert (submit.get("data_coding"), submit.get("short_message")) == (0x08, body.encode("utf-16-be"))


@pytest.mark.smsc(response_delay=0.05, receipts=False)
async def test_outstanding_submits_stay_within_the_window(client: Client, smsc: SmscSimulator) -> None:
    await create_smpp_identity(client, smsc, window="2")
    sent = [await client.messaging.SendMessage(send(f"m{i}")) for i in range(8)]
    for message in sent:
        assert (await wait_for_status(client, message.name, st.SENT)).status == st.SENT
    assert smsc.max_outstanding == 2


async def bound(client: Client, smsc: SmscSimulator, **settings: str) -> None:
    """The bind opens with the first send."""
    await create_smpp_identity(client, smsc, **settings)
    await wait_for_status(client, (await client.messaging.SendMessage(send())).name, st.DELIVERED)


async def inbound_messages(client: Client) -> list[messaging_pb2.Message]:
    listed = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(filter='direction = "INBOUND"'))
    return list(listed.messages)


async def test_mo_message_becomes_an_inbound_message(client: Client, smsc: SmscSimulator) -> None:
    await bound(client, smsc)
    status = await smsc.deliver(source_addr_ton=1, source_addr=RECIPIENT[1:], destination_addr=SENDER[1:], short_message=sms.encode_gsm7("STOP {now}"))
    assert status == Status.ESME_ROK  # answered after the message was stored
    (message,) = await inbound_messages(client)
    assert (message.sender, message.recipient, message.content.text.body, message.status) == (RECIPIENT, SENDER, "STOP {now}", st.RECEIVED)


@pytest.mark.parametrize("concatenation", ["udh8", "udh16", "sar"])
async def test_mo_parts_are_reassembled_before_storing(client: Client, smsc: SmscSimulator, concatenation: str) -> None:
    await bound(client, smsc)
    text = "Grüße aus Köln 😀 " * 6
    octets = text.encode("utf-16-be")
    halves = [octets[:131], octets[131:]]  # splits a UTF-16 code unit: joined before decoding
    for seq in (2, 1):  # out of order
        fields: dict[str, object] = {"source_addr_ton": 1, "source_addr": RECIPIENT[1:], "destination_addr": SENDER[1:], "data_coding": 8}
        tlvs = {}
        if concatenation == "udh8":
            fields.update(esm_class=0x40, short_message=bytes((5, 0, 3, 0x42, 2, seq)) + halves[seq - 1])
        elif concatenation == "udh16":
            fields.update(esm_class=0x40, short_message=bytes((6, 8, 4, 0x12, 0x34, 2, seq)) + halves[seq - 1])
        else:
            fields.update(short_message=halves[seq - 1])
            tlvs = {Tag.SAR_MSG_REF_NUM: b"\x12\x34", Tag.SAR_TOTAL_SEGMENTS: b"\x02", Tag.SAR_SEGMENT_SEQNUM: bytes((seq,))}
        assert await smsc.deliver(tlvs=tlvs, **fields) == Status.ESME_ROK
        if seq == 2:
            assert await inbound_messages(client) == []
    (message,) = await inbound_messages(client)
    assert message.content.text.body == text


async def test_enquire_link_keeps_the_bind_alive(client: Client, smsc: SmscSimulator) -> None:
    await bound(client, smsc, enquire_link_seconds="0.1")
    assert await smsc.wait_until(lambda: smsc.enquire_links >= 3, timeout=2)
    assert len(smsc.binds) == 1


async def test_closing_the_adapters_unbinds_cleanly(gateway: Gateway, client: Client, smsc: SmscSimulator) -> None:
    await bound(client, smsc)
    await gateway.adapters.close()
    assert smsc.unbinds == 1
    assert await smsc.wait_until(lambda: smsc.bound == 0, timeout=2)
