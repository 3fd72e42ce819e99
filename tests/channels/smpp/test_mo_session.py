"""MO text decoding and reassembly, submit_sm_resp error classes, the throttle's pace."""

from __future__ import annotations

import pytest

from omnirelay.channels.base import ErrorClass
from omnirelay.channels.smpp.mo import MoPart, Reassembler, decode_text, mo_part
from omnirelay.channels.smpp.pdu import Command, Pdu, Status, Tag
from omnirelay.channels.smpp.session import Throttle, submit_error
from omnirelay.domain import sms


@pytest.mark.parametrize(
    ("data_coding", "data", "text"),
    [
        (0x00, sms.encode_gsm7("@£ {x} €"), "@£ {x} €"),
        (0x01, b"plain", "plain"),
        (0x03, "café".encode("latin-1"), "café"),
        (0x08, "Привет 😀".encode("utf-16-be"), "Привет 😀"),
        (0x18, "флэш".encode("utf-16-be"), "флэш"),  # UCS-2, message class 0
        (0xF0, sms.encode_gsm7("flash"), "flash"),
        (0x04, b"\xff\x01", "\xff\x01"),  # 8-bit data
    ],
)
def test_mo_text_by_data_coding(data_coding: int, data: bytes, text: str) -> None:
    assert decode_text(data_coding, data) == text


def test_gsm7_round_trip_and_unknown_octets() -> None:
    text = sms.GSM7_ALPHABET.replace("\x1b", "") + "".join(sms.GSM7_EXTENSION_CODES)
    assert sms.decode_gsm7(sms.encode_gsm7(text)) == text
    assert sms.decode_gsm7(b"\x1b\x01\x80") == "\ufffd\ufffd"


def deliver(short_message: bytes, esm_class: int = 0, tlvs: dict[int, bytes] | None = None) -> Pdu:
    return Pdu(Command.DELIVER_SM, 1, fields={"source_addr_ton": 1, "source_addr": "15557654321", "destination_addr": "15551230000", "esm_class": esm_class, "short_message": short_message}, tlvs=tlvs or {})


@pytest.mark.parametrize(
    ("pdu", "ref", "total", "seq", "payload"),
    [
        (deliver(b"hi"), None, 1, 1, b"hi"),
        (deliver(b"\x05\x00\x03\x2a\x03\x02abc", 0x40), 0x2A, 3, 2, b"abc"),
        (deliver(b"\x06\x08\x04\x01\x02\x02\x01abc", 0x40), 0x0102, 2, 1, b"abc"),
        (deliver(b"\x08\x05\x04\x0b\x84\x23\xf0\x00\x00ab", 0x40), None, 1, 1, b"ab"),  # a port element, then a bad one
        (deliver(b"abc", tlvs={Tag.SAR_MSG_REF_NUM: b"\x00\x07", Tag.SAR_TOTAL_SEGMENTS: b"\x02", Tag.SAR_SEGMENT_SEQNUM: b"\x02"}), 7, 2, 2, b"abc"),
    ],
)
def test_mo_parts(pdu: Pdu, ref: int | None, total: int, seq: int, payload: bytes) -> None:
    part = mo_part(pdu)
    assert (part.sender, part.ref, part.total, part.seq, part.payload) == ("+15557654321", ref, total, seq, payload)


def part(seq: int, data: bytes, ref: int = 1, total: int = 2) -> MoPart:
    return MoPart("+1", "+2", 0, data, ref, total, seq)


def test_reassembly_waits_for_every_part_and_keeps_it_until_done() -> None:
    parts = Reassembler(timeout=60)
    assert parts.add(part(2, b"world"), 0) is None
    assert parts.add(part(2, b"world"), 1) is None  # a redelivered part counts once
    whole = parts.add(part(1, b"hello "), 2)
    assert whole is not None and whole.text == "hello world"
    assert parts.add(part(1, b"hello "), 3) == whole  # storing failed, the SMSC sent the last part again
    parts.done(whole.key)
    assert parts.pending == 0


def test_incomplete_messages_are_dropped_after_the_timeout_or_beyond_capacity() -> None:
    parts = Reassembler(timeout=10, max_messages=2)
    parts.add(part(1, b"a", ref=1), 0)
    assert parts.add(part(1, b"b", ref=2), 11) is None  # ref 1 expired
    assert (parts.pending, parts.dropped) == (1, 1)
    parts.add(part(1, b"c", ref=3), 12)
    parts.add(part(1, b"d", ref=4), 13)  # over capacity: the oldest goes
    assert (parts.pending, parts.dropped) == (2, 2)
    assert parts.add(part(2, b"b", ref=2), 14) is None  # ref 2 was the one dropped


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (Status.ESME_RTHROTTLED, ErrorClass.THROTTLED),
        (Status.ESME_RMSGQFUL, ErrorClass.THROTTLED),
        (Status.ESME_RINVDSTADR, ErrorClass.BAD_RECIPIENT),
        (Status.ESME_RINVPASWD, ErrorClass.AUTH),
        (Status.ESME_RBINDFAIL, ErrorClass.AUTH),
        (Status.ESME_RSYSERR, ErrorClass.TRANSIENT),
        (Status.ESME_RX_T_APPN, ErrorClass.TRANSIENT),
        (Status.ESME_RINVBNDSTS, ErrorClass.TRANSIENT),
        (Status.ESME_RX_R_APPN, ErrorClass.PERMANENT),
        (Status.ESME_RINVMSGLEN, ErrorClass.PERMANENT),
        (0x0455, ErrorClass.PERMANENT),
    ],
)
def test_submit_errors_are_classed(status: int, error_class: ErrorClass) -> None:
    error = submit_error(status, 0.2)
    assert (error.error_class, error.provider_code) == (error_class, f"0x{status:08X}")
    assert error.retry_after == (0.2 if error_class is ErrorClass.THROTTLED else None)


def test_throttle_spaces_submits_doubling_on_refusal_and_halving_on_acceptance() -> None:
    now = [100.0]
    throttle = Throttle(base=0.1, ceiling=0.4, clock=lambda: now[0])
    assert throttle.delay() == 0.0
    assert throttle.refused() == 0.1
    assert [round(throttle.delay(), 3) for _ in range(3)] == [0.1, 0.2, 0.3]  # held, then spaced
    assert [throttle.refused(), throttle.refused(), throttle.refused()] == [0.2, 0.4, 0.4]  # capped
    now[0] = 200.0
    throttle.accepted()
    assert throttle.interval == 0.2
    throttle.accepted()
    throttle.accepted()
    assert (throttle.interval, throttle.delay()) == (0.0, 0.0)
