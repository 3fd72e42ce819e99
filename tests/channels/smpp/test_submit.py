"""Messages as submit_sm PDUs: data_coding, parts, addresses, validity; identity settings."""

from __future__ import annotations

import pytest
from google.protobuf.duration_pb2 import Duration
from omnirelay.v1 import content_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.channels.smpp import render
from omnirelay.channels.smpp.pdu import Tag
from omnirelay.channels.smpp.submit import SettingsError, SmppSettings, submit_pdus, validity_period
from omnirelay.domain import sms
from omnirelay.store.directory import IdentityRecord

NAME = "accounts/acme/messages/01abc"


def identity(**settings: str) -> IdentityRecord:
    base = {"host": "127.0.0.1", "port": "2775", "system_id": "omni"}
    return IdentityRecord("acme", "smpp", Channel.CHANNEL_SMS, "+15551230000", "smpp", {**base, **settings}, {"password": "s3cret"}, 0, 1)


def message(body: str, **kw: object) -> messaging_pb2.Message:
    return messaging_pb2.Message(name=NAME, recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body=body)), **kw)


@pytest.mark.parametrize(
    ("body", "data_coding", "parts"),
    [
        ("hello", 0x00, 1),
        ("€{" * 40, 0x00, 1),  # 160 septets with the escapes
        ("a" * 161, 0x00, 2),
        ("a" * 307, 0x00, 3),
        ("Привет", 0x08, 1),
        ("ł" * 71, 0x08, 2),
        ("\U0001F600" * 36, 0x08, 2),  # surrogate pairs are not split
    ],
)
def test_udh_parts_data_coding_and_octets(body: str, data_coding: int, parts: int) -> None:
    pdus = submit_pdus(SmppSettings.of(identity()), "+15551230000", message(body))
    assert len(pdus) == parts == sms.segment(body).segments
    assert {p.get("data_coding") for p in pdus} == {data_coding}
    codec = (lambda b: sms.decode_gsm7(b)) if data_coding == 0 else (lambda b: b.decode("utf-16-be"))
    if parts == 1:
        assert pdus[0].get("esm_class") == 0 and codec(pdus[0].get("short_message")) == body
        return
    headers = [p.get("short_message")[:6] for p in pdus]
    ref = headers[0][3]
    assert headers == [bytes((5, 0, 3, ref, parts, i)) for i in range(1, parts + 1)]
    assert all(p.get("esm_class") == 0x40 and len(p.get("short_message")) <= 140 + 19 for p in pdus)
    assert codec(b"".join(p.get("short_message")[6:] for p in pdus)) == body


def test_the_concatenation_reference_is_stable_per_message() -> None:
    settings = SmppSettings.of(identity())
    first = submit_pdus(settings, "+15551230000", message("a" * 200))
    again = submit_pdus(settings, "+15551230000", message("a" * 200))
    other = submit_pdus(settings, "+15551230000", messaging_pb2.Message(name=NAME + "x", recipient="+15557654321", content=message("a" * 200).content))
    assert first == again
    assert first[0].get("short_message")[3] != other[0].get("short_message")[3]


def test_sar_and_payload_modes() -> None:
    sar = submit_pdus(SmppSettings.of(identity(split="sar")), "+15551230000", message("b" * 200))
    assert [p.tlvs[Tag.SAR_SEGMENT_SEQNUM] for p in sar] == [b"\x01", b"\x02"]
    assert {p.tlvs[Tag.SAR_TOTAL_SEGMENTS] for p in sar} == {b"\x02"}
    assert len({p.tlvs[Tag.SAR_MSG_REF_NUM] for p in sar}) == 1
    (payload,) = submit_pdus(SmppSettings.of(identity(split="payload")), "+15551230000", message("b" * 200))
    assert (payload.get("short_message"), payload.tlvs[Tag.MESSAGE_PAYLOAD]) == (b"", b"b" * 200)


def test_addresses_flash_and_validity() -> None:
    settings = SmppSettings.of(identity(source_ton="5", source_npi="0", dest_ton="2"))
    flash = messaging_pb2.Message(
        name=NAME, recipient="+15557654321",
        channel_content=content_pb2.ChannelContent(sms=content_pb2.SmsContent(text="now", flash=True)),
        options=content_pb2.ChannelOptions(sms=content_pb2.SmsOptions(validity_period=Duration(seconds=90061))),
    )
    (pdu,) = submit_pdus(settings, "ACME", flash)
    assert (pdu.get("source_addr_ton"), pdu.get("source_addr_npi"), pdu.get("source_addr")) == (5, 0, "ACME")
    assert (pdu.get("dest_addr_ton"), pdu.get("destination_addr")) == (2, "+15557654321")
    assert (pdu.get("data_coding"), pdu.get("validity_period"), pdu.get("registered_delivery")) == (0x10, "000001010101000R", 1)


@pytest.mark.parametrize(("seconds", "relative"), [(0, "000000000000000R"), (3600, "000000010000000R"), (400 * 86400, "010105000000000R")])
def test_validity_period_relative_format(seconds: int, relative: str) -> None:
    assert validity_period(seconds) == relative


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"port": "smpp"}, "port"), ({"port": "70000"}, "port"), ({"window": "0"}, "window"),
        ({"split": "magic"}, "split"), ({"tls": "true"}, "tls"), ({"enquire_link_seconds": "-1"}, "enquire_link_seconds"),
    ],
)
def test_bad_settings_are_named(settings: dict[str, str], problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        SmppSettings.of(identity(**settings))


def test_settings_parse_from_strings() -> None:
    parsed = SmppSettings.of(identity(window="32", enquire_link_seconds="15", system_type="VMA"))
    assert (parsed.port, parsed.window, parsed.enquire_link_seconds, parsed.system_type, parsed.password) == (2775, 32, 15.0, "VMA", "s3cret")


def test_render_shows_the_pdus_without_the_password() -> None:
    rendered = render(identity(split="sar"), message("c" * 200))
    assert len(rendered) == 2
    assert rendered[0]["command"] == "submit_sm" and rendered[0]["short_message"] == ("c" * 153).encode().hex()
    assert rendered[0]["tlvs"]["sar_segment_seqnum"] == "01"
    assert "s3cret" not in repr(rendered)
