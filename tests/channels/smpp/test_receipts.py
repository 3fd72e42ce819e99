"""Delivery receipts as SMSCs write them, and the id forms they use."""

from __future__ import annotations

import pytest

from omnirelay.channels.smpp.pdu import Command, Pdu, Tag
from omnirelay.channels.smpp.receipts import RecentIds, canonical_id, is_receipt, parse_receipt
from omnirelay.domain import status as st


def receipt(text: str, esm_class: int = 0x04, tlvs: dict[int, bytes] | None = None) -> Pdu:
    return Pdu(Command.DELIVER_SM, 1, fields={"esm_class": esm_class, "short_message": text.encode("latin-1")}, tlvs=tlvs or {})


# (text, tlvs) -> (message id, stat, err, status, error code)
@pytest.mark.parametrize(
    ("text", "tlvs", "expected"),
    [
        # SMPP 3.4 appendix B, as most SMSCs (Kannel's fakesmsc, jasmin, Logica) write it
        ("id:1234567890 sub:001 dlvrd:001 submit date:2411261200 done date:2411261201 stat:DELIVRD err:000 text:Hello",
         {}, ("1234567890", "DELIVRD", "000", st.DELIVERED, "")),
        # hex id, upper case keys, no text field (a European operator's SMSC)
        ("ID:0A3F29B1 SUB:001 DLVRD:000 SUBMIT DATE:2411261200 DONE DATE:2411261300 STAT:UNDELIV ERR:034",
         {}, ("0A3F29B1", "UNDELIV", "034", st.UNDELIVERED, "UNDELIVERABLE")),
        # UUID ids, seconds in the dates, lower-case "text:" (an aggregator)
        ("id:2e5a2c3f-8f0b-4b8e-9d7a-1b2c3d4e5f60 sub:001 dlvrd:000 submit date:241126120000 done date:241126120500 stat:EXPIRED err:000 text:",
         {}, ("2e5a2c3f-8f0b-4b8e-9d7a-1b2c3d4e5f60", "EXPIRED", "000", st.UNDELIVERED, "UNDELIVERABLE")),
        ("id:77 stat:REJECTD err:0B", {}, ("77", "REJECTD", "0B", st.REJECTED, "PROVIDER_REJECTED")),
        ("id:77 sub:001 dlvrd:000 submit date:2411261200 done date:2411261200 stat:DELETED err:000", {}, ("77", "DELETED", "000", st.UNDELIVERED, "UNDELIVERABLE")),
        ("id:77 stat:ACCEPTD err:000", {}, ("77", "ACCEPTD", "000", st.SENT, "")),
        ("id:77 stat:ENROUTE", {}, ("77", "ENROUTE", "", st.SENT, "")),
        ("id:77 stat:UNKNOWN err:000", {}, ("77", "UNKNOWN", "000", st.SENT, "")),
        ("id:77 stat:FUNNY err:000", {}, ("77", "FUNNY", "000", st.SENT, "")),
        # the TLVs win: receipted_message_id and message_state (2 = DELIVERED), text empty
        ("", {Tag.RECEIPTED_MESSAGE_ID: b"abc123\0", Tag.MESSAGE_STATE: b"\x02"}, ("abc123", "DELIVRD", "", st.DELIVERED, "")),
        ("id:1 stat:DELIVRD err:000", {Tag.RECEIPTED_MESSAGE_ID: b"0001\0", Tag.MESSAGE_STATE: b"\x05", Tag.NETWORK_ERROR_CODE: b"\x03\x00\x22"},
         ("0001", "UNDELIV", "000", st.UNDELIVERED, "UNDELIVERABLE")),
        ("", {Tag.RECEIPTED_MESSAGE_ID: b"9\0", Tag.MESSAGE_STATE: b"\x08", Tag.NETWORK_ERROR_CODE: b"\x03\x00\x22"},
         ("9", "REJECTD", "030022", st.REJECTED, "PROVIDER_REJECTED")),
    ],
)
def test_receipts_from_several_smscs(text: str, tlvs: dict[int, bytes], expected: tuple[str, str, str, int, str]) -> None:
    parsed = parse_receipt(receipt(text, tlvs=tlvs))
    assert parsed is not None
    error = parsed.error()
    assert (parsed.message_id, parsed.stat, parsed.err, parsed.outcome().status, error.code if error else "") == expected
    if error:
        assert error.provider_code == parsed.provider_code and error.permanent


def test_receipt_in_message_payload_and_without_id() -> None:
    payload = Pdu(Command.DELIVER_SM, 1, fields={"esm_class": 0x04}, tlvs={Tag.MESSAGE_PAYLOAD: b"id:5 stat:DELIVRD err:000"})
    assert parse_receipt(payload) is not None and parse_receipt(payload).message_id == "5"  # type: ignore[union-attr]
    assert parse_receipt(receipt("stat:DELIVRD err:000")) is None


@pytest.mark.parametrize(("esm_class", "expected"), [(0x00, False), (0x04, True), (0x20, True), (0x08, False), (0x40, False), (0x44, True)])
def test_receipts_are_told_by_the_esm_class_message_type(esm_class: int, expected: bool) -> None:
    assert is_receipt(receipt("", esm_class)) is expected


@pytest.mark.parametrize(
    ("smsc_id", "canonical"),
    [("1234567890", "1234567890"), ("0001234", "1234"), ("0A3F29B1", "171911601"), ("0a3f29b1", "171911601"),
     ("2e5a2c3f-8f0b", "2e5a2c3f-8f0b"), ("MSG-77", "MSG-77")],
)
def test_canonical_ids(smsc_id: str, canonical: str) -> None:
    assert canonical_id(smsc_id) == canonical


@pytest.mark.parametrize(
    ("submit_id", "receipt_id"),
    [
        ("7000000001", "1A13B8601"),  # decimal response, hex receipt
        ("1A13B8601", "7000000001"),  # hex response, decimal receipt
        ("4660", "1234"),  # decimal response, hex receipt made of digits only
        ("1234", "4660"),  # hex response made of digits only, decimal receipt
        ("00042", "42"),  # zero padding
    ],
)
def test_receipt_ids_match_the_submit_id_in_its_other_form(submit_id: str, receipt_id: str) -> None:
    ids = RecentIds()
    stored = ids.add(submit_id)
    ids.add("99999")  # another message's id must not be matched
    assert ids.match(receipt_id) == stored


def test_after_a_restart_the_unambiguous_forms_still_match() -> None:
    assert RecentIds().match("1A13B8601") == canonical_id("7000000001")


def test_recent_ids_are_bounded() -> None:
    ids = RecentIds(capacity=1)
    ids.add("1234")
    assert ids.match("4660") == "1234"
    ids.add("5")  # evicts 1234: the ambiguous form no longer resolves to it
    assert ids.match("4660") == "4660"
