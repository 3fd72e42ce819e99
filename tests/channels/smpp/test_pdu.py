"""The PDU codec against octets written out from the SMPP 3.4 specification."""

from __future__ import annotations

import asyncio

import pytest

from omnirelay.channels.smpp.pdu import Command, Pdu, PduError, Status, Tag, decode, encode, read_pdu, status_code, status_name


def test_bind_transceiver_encodes_field_by_field() -> None:
    pdu = Pdu(Command.BIND_TRANSCEIVER, 1, fields={"system_id": "omni", "password": "pwd", "system_type": "", "interface_version": 0x34, "addr_ton": 1, "addr_npi": 1})
    encoded = encode(pdu)
    assert encoded[16:] == b"omni\0pwd\0\0\x34\x01\x01\0"
    assert int.from_bytes(encoded[:4], "big") == len(encoded) == 16 + 14


def test_submit_sm_with_tlv_round_trips_and_matches_the_wire_layout() -> None:
    fields = {
        "service_type": "", "source_addr_ton": 1, "source_addr_npi": 1, "source_addr": "15551230000",
        "dest_addr_ton": 1, "dest_addr_npi": 1, "destination_addr": "15557654321", "esm_class": 0x40,
        "protocol_id": 0, "priority_flag": 0, "schedule_delivery_time": "", "validity_period": "000001000000000R",
        "registered_delivery": 1, "replace_if_present_flag": 0, "data_coding": 8, "sm_default_msg_id": 0,
        "short_message": b"\x05\x00\x03\x2a\x02\x01\x00h\x00i",
    }
    pdu = Pdu(Command.SUBMIT_SM, 7, fields=fields, tlvs={Tag.SAR_TOTAL_SEGMENTS: b"\x02"})
    wire = encode(pdu)
    body = wire[16:]
    assert body.startswith(
        b"\x00" b"\x01\x01" b"15551230000\x00" b"\x01\x01" b"15557654321\x00"  # service_type, source, destination
        b"\x40\x00\x00" b"\x00" b"000001000000000R\x00"  # esm_class, protocol_id, priority, schedule, validity
        b"\x01\x00\x08\x00" b"\x0a"  # registered_delivery, replace_if_present, data_coding, sm_default_msg_id, sm_length
    )
    assert body.endswith(b"\x02\x0e\x00\x01\x02")  # TLV 0x020E, length 1, value 2
    assert decode(wire) == pdu


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        # submit_sm_resp with a message id
        ("0000001a80000004000000000000000331323334353637383900", Pdu(Command.SUBMIT_SM_RESP, 3, 0, {"message_id": "123456789"})),
        # submit_sm_resp ESME_RTHROTTLED without a body
        ("00000010800000040000005800000004", Pdu(Command.SUBMIT_SM_RESP, 4, Status.ESME_RTHROTTLED)),
        ("00000010000000150000000000000009", Pdu(Command.ENQUIRE_LINK, 9)),
        ("00000010800000000000000300000002", Pdu(Command.GENERIC_NACK, 2, Status.ESME_RINVCMDID)),
    ],
)
def test_decodes_responses_with_and_without_body(wire: str, expected: Pdu) -> None:
    assert decode(bytes.fromhex(wire)) == expected


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("0000000f00000015000000000000", Status.ESME_RINVCMDLEN),  # shorter than the header
        ("00000011000000150000000000000001", Status.ESME_RINVCMDLEN),  # length says 17, 16 octets
        ("00000015800000040000000000000001313233", Status.ESME_RINVCMDLEN),  # message_id without NUL
        ("00000018800000040000000000000001000027000501 0203".replace(" ", ""), Status.ESME_RINVPARLEN),  # TLV longer than the PDU
    ],
)
def test_malformed_pdus_are_refused_with_a_status(wire: str, status: int) -> None:
    with pytest.raises(PduError) as raised:
        decode(bytes.fromhex(wire))
    assert raised.value.status == status


def test_short_message_over_254_octets_is_refused() -> None:
    with pytest.raises(PduError):
        encode(Pdu(Command.SUBMIT_SM, 1, fields={"short_message": b"x" * 255}))


async def test_read_pdu_frames_a_stream_and_refuses_absurd_lengths() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(encode(Pdu(Command.ENQUIRE_LINK, 1)) + encode(Pdu(Command.UNBIND, 2)) + bytes.fromhex("7fffffff"))
    assert (await read_pdu(reader)).command_id == Command.ENQUIRE_LINK
    assert (await read_pdu(reader)).sequence == 2
    with pytest.raises(PduError):
        await read_pdu(reader)


@pytest.mark.parametrize(
    ("status", "name", "code"),
    [(0x58, "ESME_RTHROTTLED", "0x00000058"), (0x14, "ESME_RMSGQFUL", "0x00000014"), (0x401, "vendor-specific", "0x00000401"), (0x70, "reserved", "0x00000070")],
)
def test_status_names_and_codes(status: int, name: str, code: str) -> None:
    assert (status_name(status), status_code(status)) == (name, code)
