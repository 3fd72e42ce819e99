"""Inbound (mobile-originated) deliver_sm: the text, and the reassembly of concatenated parts
(UDH information elements 0x00 / 0x08, or the SAR TLVs) before the message is stored."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from omnirelay.channels.smpp.pdu import Pdu, Tag, int_tlv
from omnirelay.channels.smpp.submit import ESM_UDHI, TON_INTERNATIONAL
from omnirelay.domain import sms


@dataclass(frozen=True)
class MoPart:
    sender: str
    recipient: str
    data_coding: int
    payload: bytes  # user data without the header
    ref: int | None = None  # concatenation reference; None for a message in one part
    total: int = 1
    seq: int = 1

    @property
    def key(self) -> tuple[str, str, int | None, int]:
        return (self.sender, self.recipient, self.ref, self.total)


def decode_text(data_coding: int, data: bytes) -> str:
    """Text by data_coding: GSM 03.38, IA5, Latin-1, 8-bit data (as Latin-1) or UCS-2."""
    if data_coding == 0x01:
        return data.decode("ascii", errors="replace")
    if data_coding == 0x03:
        return data.decode("latin-1")
    if data_coding & 0xF0 == 0xF0:  # data coding / message class group: bit 2 is the alphabet
        alphabet = data_coding & 0x04
    elif data_coding & 0xC0 == 0x00:  # general data coding group: bits 3-2
        alphabet = data_coding & 0x0C
    else:
        alphabet = 0
    if alphabet == 0x08:
        return data.decode("utf-16-be", errors="replace")
    if alphabet == 0x04:
        return data.decode("latin-1")
    return sms.decode_gsm7(data)


def _udh_concatenation(header: bytes) -> tuple[int, int, int] | None:
    """(reference, total, sequence) from the concatenation element of a user data header."""
    pos = 0
    while pos + 2 <= len(header):
        ie, size = header[pos], header[pos + 1]
        value = header[pos + 2 : pos + 2 + size]
        if ie == 0x00 and size == 3:
            return value[0], value[1], value[2]
        if ie == 0x08 and size == 4:
            return int.from_bytes(value[:2], "big"), value[2], value[3]
        pos += 2 + size
    return None


def mo_part(pdu: Pdu) -> MoPart:
    data = pdu.get("short_message") or pdu.tlvs.get(Tag.MESSAGE_PAYLOAD, b"")
    sender = pdu.get("source_addr")
    if pdu.get("source_addr_ton") == TON_INTERNATIONAL and sender.isdigit():
        sender = "+" + sender
    part = MoPart(sender, pdu.get("destination_addr"), pdu.get("data_coding"), data)
    if pdu.get("esm_class") & ESM_UDHI and data:
        header_length = data[0]
        concatenation = _udh_concatenation(data[1 : 1 + header_length])
        part = MoPart(part.sender, part.recipient, part.data_coding, data[1 + header_length :])
        if concatenation is not None:
            ref, total, seq = concatenation
            return MoPart(part.sender, part.recipient, part.data_coding, part.payload, ref, total, seq)
    elif Tag.SAR_MSG_REF_NUM in pdu.tlvs:
        total = int_tlv(pdu.tlvs.get(Tag.SAR_TOTAL_SEGMENTS, b"\x01"))
        seq = int_tlv(pdu.tlvs.get(Tag.SAR_SEGMENT_SEQNUM, b"\x01"))
        return MoPart(part.sender, part.recipient, part.data_coding, data, int_tlv(pdu.tlvs[Tag.SAR_MSG_REF_NUM]), total, seq)
    return part


@dataclass
class _Partial:
    started: float
    parts: dict[int, MoPart] = field(default_factory=dict)


@dataclass(frozen=True)
class MoMessage:
    key: tuple[str, str, int | None, int]
    sender: str
    recipient: str
    text: str


class Reassembler:
    """Parts of concatenated messages until all have come. An incomplete one is dropped after
    `timeout` seconds (its parts were acknowledged; the SMSC will not send them again)."""

    def __init__(self, timeout: float, max_messages: int = 10_000) -> None:
        self._timeout = timeout
        self._max = max_messages
        self._partial: OrderedDict[tuple[str, str, int | None, int], _Partial] = OrderedDict()
        self.dropped = 0

    def add(self, part: MoPart, now: float) -> MoMessage | None:
        """The whole message once `part` completes it (kept until `done`, so a redelivered last
        part completes it again when storing failed); None while parts are missing."""
        self._expire(now)
        if part.ref is None or part.total <= 1:
            return MoMessage(part.key, part.sender, part.recipient, decode_text(part.data_coding, part.payload))
        partial = self._partial.setdefault(part.key, _Partial(now))
        partial.parts[part.seq] = part
        if len(partial.parts) < part.total:
            return None
        ordered = [partial.parts[i] for i in sorted(partial.parts)]
        # Join the octets before decoding: a UCS-2 surrogate pair may straddle two parts.
        text = decode_text(ordered[0].data_coding, b"".join(p.payload for p in ordered))
        return MoMessage(part.key, part.sender, part.recipient, text)

    def done(self, key: tuple[str, str, int | None, int]) -> None:
        self._partial.pop(key, None)

    def _expire(self, now: float) -> None:
        while self._partial:
            key, oldest = next(iter(self._partial.items()))
            if now - oldest.started < self._timeout and len(self._partial) < self._max:
                return
            del self._partial[key]
            self.dropped += 1

    @property
    def pending(self) -> int:
        return len(self._partial)
