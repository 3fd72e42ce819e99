"""Outbound: an identity's settings, and a message as the submit_sm PDUs that carry it. Pure, so
`render` (what TranscodeMessage shows) and `send` build the very same PDUs."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from omnirelay.channels.smpp.pdu import Command, Pdu, Tag
from omnirelay.domain import sms
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import SmsEncoding
from omnirelay.v1.messaging_pb2 import Message

SPLIT_MODES = ("udh", "sar", "payload")
TON_INTERNATIONAL = 1
NPI_E164 = 1
REGISTERED_DELIVERY = 0x01  # a receipt on final delivery, success or failure
ESM_UDHI = 0x40  # short_message starts with a user data header
# data_coding: GSM 03.38 (SMSC default alphabet) or UCS-2; flash messages use message class 0.
DATA_CODING = {
    (SmsEncoding.SMS_ENCODING_GSM7, False): 0x00,
    (SmsEncoding.SMS_ENCODING_UCS2, False): 0x08,
    (SmsEncoding.SMS_ENCODING_GSM7, True): 0x10,
    (SmsEncoding.SMS_ENCODING_UCS2, True): 0x18,
}


class SettingsError(ValueError):
    """An identity setting the adapter cannot use."""


class ContentError(ValueError):
    """Content SMPP cannot carry (validation normally stops it before it is queued)."""


@dataclass(frozen=True)
class SmppSettings:
    """An identity's SMPP settings (all identity settings are strings; parsed here)."""

    host: str
    port: int
    system_id: str
    password: str
    system_type: str = ""
    source_ton: int = TON_INTERNATIONAL
    source_npi: int = NPI_E164
    dest_ton: int = TON_INTERNATIONAL
    dest_npi: int = NPI_E164
    window: int = 10
    enquire_link_seconds: float = 30.0
    response_timeout_seconds: float = 10.0
    split: str = "udh"

    @classmethod
    def of(cls, identity: IdentityRecord) -> SmppSettings:
        s = identity.settings

        def number(name: str, kind: type, default: float, low: float, high: float) -> float:
            raw = s.get(name, "")
            try:
                value = kind(raw) if raw else default
            except ValueError:
                raise SettingsError(f"setting {name}={raw!r} is not a number") from None
            if not low <= value <= high:
                raise SettingsError(f"setting {name}={raw!r} must be between {low} and {high}")
            return value

        split = s.get("split", "udh") or "udh"
        if split not in SPLIT_MODES:
            raise SettingsError(f"setting split={split!r} must be one of {', '.join(SPLIT_MODES)}")
        if s.get("tls", "").lower() in ("1", "true", "yes", "on"):
            raise SettingsError("setting tls: SMPP over TLS is not supported yet")
        return cls(
            host=s.get("host", ""),
            port=int(number("port", int, 0, 1, 65535)),
            system_id=s.get("system_id", ""),
            password=identity.credentials.get("password", ""),
            system_type=s.get("system_type", ""),
            source_ton=int(number("source_ton", int, TON_INTERNATIONAL, 0, 6)),
            source_npi=int(number("source_npi", int, NPI_E164, 0, 18)),
            dest_ton=int(number("dest_ton", int, TON_INTERNATIONAL, 0, 6)),
            dest_npi=int(number("dest_npi", int, NPI_E164, 0, 18)),
            window=int(number("window", int, 10, 1, 1000)),
            enquire_link_seconds=number("enquire_link_seconds", float, 30.0, 0.05, 3600),
            response_timeout_seconds=number("response_timeout_seconds", float, 10.0, 0.05, 300),
            split=split,
        )


def smpp_address(address: str, ton: int) -> str:
    """An international number goes without its "+"."""
    return address.removeprefix("+") if ton == TON_INTERNATIONAL else address


def validity_period(seconds: int) -> str:
    """SMPP relative time format YYMMDDhhmmss000R."""
    days, rest = divmod(max(seconds, 0), 86400)
    years, days = divmod(days, 365)
    months, days = divmod(days, 30)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{min(years, 99):02d}{months:02d}{days:02d}{hours:02d}{minutes:02d}{secs:02d}000R"


def message_text(message: Message) -> tuple[str, bool]:
    """The text and whether it is a flash (class 0) message. SMS carries text only."""
    if message.HasField("channel_content"):
        if not message.channel_content.HasField("sms"):
            raise ContentError("SMPP sends SMS content only")
        return message.channel_content.sms.text, message.channel_content.sms.flash
    if message.content.WhichOneof("kind") != "text":
        raise ContentError("SMPP sends text only")
    return message.content.text.body, False


def _encode(text: str, encoding: int) -> bytes:
    return sms.encode_gsm7(text) if encoding == SmsEncoding.SMS_ENCODING_GSM7 else text.encode("utf-16-be")


def submit_pdus(settings: SmppSettings, source: str, message: Message) -> list[Pdu]:
    """One submit_sm per part, in part order. The concatenation reference comes from the message
    name, so a retried message reuses it and a handset can merge parts it got twice."""
    text, flash = message_text(message)
    encoding, parts = sms.split(text)
    fields = {
        "source_addr_ton": settings.source_ton, "source_addr_npi": settings.source_npi,
        "source_addr": smpp_address(source, settings.source_ton),
        "dest_addr_ton": settings.dest_ton, "dest_addr_npi": settings.dest_npi,
        "destination_addr": smpp_address(message.recipient, settings.dest_ton),
        "registered_delivery": REGISTERED_DELIVERY, "data_coding": DATA_CODING[(encoding, flash)],
        "service_type": "", "esm_class": 0,
    }
    if message.options.sms.HasField("validity_period"):
        fields["validity_period"] = validity_period(message.options.sms.validity_period.seconds)
    if len(parts) == 1:
        return [Pdu(Command.SUBMIT_SM, fields={**fields, "short_message": _encode(text, encoding)})]
    if settings.split == "payload":
        return [Pdu(Command.SUBMIT_SM, fields={**fields, "short_message": b""}, tlvs={Tag.MESSAGE_PAYLOAD: _encode(text, encoding)})]
    ref = zlib.crc32(message.name.encode())
    total = len(parts)
    pdus = []
    for seq, part in enumerate(parts, start=1):
        body = _encode(part, encoding)
        if settings.split == "udh":
            udh = bytes((0x05, 0x00, 0x03, ref & 0xFF, total, seq))  # IE 0x00: 8-bit reference
            pdus.append(Pdu(Command.SUBMIT_SM, fields={**fields, "esm_class": ESM_UDHI, "short_message": udh + body}))
        else:
            sar = {
                Tag.SAR_MSG_REF_NUM: (ref & 0xFFFF).to_bytes(2, "big"),
                Tag.SAR_TOTAL_SEGMENTS: bytes((total,)),
                Tag.SAR_SEGMENT_SEQNUM: bytes((seq,)),
            }
            pdus.append(Pdu(Command.SUBMIT_SM, fields={**fields, "short_message": body}, tlvs=sar))
    return pdus


def describe(pdu: Pdu) -> dict[str, object]:
    """A submit_sm as JSON-safe fields (octets in hex, TLVs by name) for render."""
    fields: dict[str, object] = {"command": "submit_sm"}
    for name, value in pdu.fields.items():
        fields[name] = value.hex() if isinstance(value, bytes) else value
    if pdu.tlvs:
        fields["tlvs"] = {Tag(tag).name.lower(): value.hex() for tag, value in pdu.tlvs.items()}
    return fields
