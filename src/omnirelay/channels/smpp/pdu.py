"""An SMPP 3.4 PDU codec for the PDUs a transceiver ESME needs (and the test SMSC answers).

A PDU is a 16-byte header (command_length, command_id, command_status, sequence_number), the
command's mandatory fields in spec order, then optional TLVs (tag, length, value). Responses
with a non-zero command_status may come without a body; decoding fills defaults then.
"""

from __future__ import annotations

import asyncio
import enum
import struct
from dataclasses import dataclass, field
from typing import Any

HEADER = struct.Struct(">IIII")
MAX_PDU = 64 * 1024  # far above any SMPP 3.4 PDU; a larger length means a broken stream
INTERFACE_VERSION = 0x34
RESPONSE_BIT = 0x80000000


class Command(enum.IntEnum):
    GENERIC_NACK = 0x80000000
    SUBMIT_SM = 0x00000004
    SUBMIT_SM_RESP = 0x80000004
    DELIVER_SM = 0x00000005
    DELIVER_SM_RESP = 0x80000005
    UNBIND = 0x00000006
    UNBIND_RESP = 0x80000006
    BIND_TRANSCEIVER = 0x00000009
    BIND_TRANSCEIVER_RESP = 0x80000009
    ENQUIRE_LINK = 0x00000015
    ENQUIRE_LINK_RESP = 0x80000015


class Status(enum.IntEnum):
    """command_status values the gateway acts on (SMPP 3.4 section 5.1.3)."""

    ESME_ROK = 0x00
    ESME_RINVMSGLEN = 0x01
    ESME_RINVCMDLEN = 0x02
    ESME_RINVCMDID = 0x03
    ESME_RINVBNDSTS = 0x04
    ESME_RALYBND = 0x05
    ESME_RSYSERR = 0x08
    ESME_RINVSRCADR = 0x0A
    ESME_RINVDSTADR = 0x0B
    ESME_RINVMSGID = 0x0C
    ESME_RBINDFAIL = 0x0D
    ESME_RINVPASWD = 0x0E
    ESME_RINVSYSID = 0x0F
    ESME_RMSGQFUL = 0x14
    ESME_RINVESMCLASS = 0x43
    ESME_RSUBMITFAIL = 0x45
    ESME_RINVSRCTON = 0x48
    ESME_RINVSRCNPI = 0x49
    ESME_RINVDSTTON = 0x50
    ESME_RINVDSTNPI = 0x51
    ESME_RINVSYSTYP = 0x53
    ESME_RTHROTTLED = 0x58
    ESME_RINVSCHED = 0x61
    ESME_RINVEXPIRY = 0x62
    ESME_RX_T_APPN = 0x64
    ESME_RX_P_APPN = 0x65
    ESME_RX_R_APPN = 0x66
    ESME_RINVOPTPARSTREAM = 0xC0
    ESME_RINVPARLEN = 0xC2
    ESME_RMISSINGOPTPARAM = 0xC3
    ESME_RINVOPTPARAMVAL = 0xC4
    ESME_RDELIVERYFAILURE = 0xFE
    ESME_RUNKNOWNERR = 0xFF


def status_name(status: int) -> str:
    try:
        return Status(status).name
    except ValueError:
        return "vendor-specific" if 0x400 <= status <= 0x4FF else "reserved"


def status_code(status: int) -> str:
    """The provider code stored on messages: command_status as 0x%08X."""
    return f"0x{status:08X}"


class Tag(enum.IntEnum):
    """The optional parameters the gateway reads or writes."""

    SAR_MSG_REF_NUM = 0x020C
    SAR_TOTAL_SEGMENTS = 0x020E
    SAR_SEGMENT_SEQNUM = 0x020F
    NETWORK_ERROR_CODE = 0x0423
    MESSAGE_PAYLOAD = 0x0424
    MESSAGE_STATE = 0x0427
    RECEIPTED_MESSAGE_ID = 0x001E


# Mandatory body fields per command: "c" a NUL-terminated string, "b" one octet, "sm" the
# sm_length octet followed by that many octets of short_message.
_SM_FIELDS: tuple[tuple[str, str], ...] = (
    ("service_type", "c"), ("source_addr_ton", "b"), ("source_addr_npi", "b"), ("source_addr", "c"),
    ("dest_addr_ton", "b"), ("dest_addr_npi", "b"), ("destination_addr", "c"), ("esm_class", "b"),
    ("protocol_id", "b"), ("priority_flag", "b"), ("schedule_delivery_time", "c"), ("validity_period", "c"),
    ("registered_delivery", "b"), ("replace_if_present_flag", "b"), ("data_coding", "b"), ("sm_default_msg_id", "b"),
    ("short_message", "sm"),
)
BODY: dict[int, tuple[tuple[str, str], ...]] = {
    Command.BIND_TRANSCEIVER: (
        ("system_id", "c"), ("password", "c"), ("system_type", "c"), ("interface_version", "b"),
        ("addr_ton", "b"), ("addr_npi", "b"), ("address_range", "c"),
    ),
    Command.BIND_TRANSCEIVER_RESP: (("system_id", "c"),),
    Command.SUBMIT_SM: _SM_FIELDS,
    Command.SUBMIT_SM_RESP: (("message_id", "c"),),
    Command.DELIVER_SM: _SM_FIELDS,
    Command.DELIVER_SM_RESP: (("message_id", "c"),),
}
_DEFAULT = {"c": "", "b": 0, "sm": b""}


class PduError(Exception):
    """A PDU that cannot be decoded; `status` is what to answer it with in a generic_nack."""

    def __init__(self, message: str, status: int = Status.ESME_RINVCMDLEN) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Pdu:
    command_id: int
    sequence: int = 0
    status: int = 0
    fields: dict[str, Any] = field(default_factory=dict)
    tlvs: dict[int, bytes] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A mandatory field, or its default when absent."""
        kinds = dict(BODY.get(self.command_id, ()))
        return self.fields.get(name, _DEFAULT[kinds.get(name, "c")])

    @property
    def is_response(self) -> bool:
        return bool(self.command_id & RESPONSE_BIT)

    def response(self, status: int = 0, **fields: Any) -> Pdu:
        """The answer to this request, with the same sequence number."""
        return Pdu(self.command_id | RESPONSE_BIT, self.sequence, status, fields)


def encode(pdu: Pdu) -> bytes:
    body = bytearray()
    for name, kind in BODY.get(pdu.command_id, ()):
        value = pdu.fields.get(name, _DEFAULT[kind])
        if kind == "c":
            body += value.encode("latin-1") + b"\0"
        elif kind == "b":
            body.append(value)
        else:
            if len(value) > 254:
                raise PduError(f"short_message is {len(value)} octets; at most 254 (use message_payload)", Status.ESME_RINVMSGLEN)
            body.append(len(value))
            body += value
    for tag, value in pdu.tlvs.items():
        body += struct.pack(">HH", tag, len(value)) + value
    return HEADER.pack(HEADER.size + len(body), pdu.command_id, pdu.status, pdu.sequence) + body


def decode(data: bytes) -> Pdu:
    """One whole PDU (header included)."""
    if len(data) < HEADER.size:
        raise PduError(f"PDU of {len(data)} octets is shorter than its header")
    length, command_id, status, sequence = HEADER.unpack_from(data)
    if length != len(data):
        raise PduError(f"command_length {length} but {len(data)} octets")
    pdu = Pdu(command_id, sequence, status)
    pos = HEADER.size
    try:
        for name, kind in BODY.get(command_id, ()):
            if pos >= len(data):  # an error response may omit its body
                break
            if kind == "c":
                end = data.index(b"\0", pos)
                pdu.fields[name] = data[pos:end].decode("latin-1")
                pos = end + 1
            elif kind == "b":
                pdu.fields[name] = data[pos]
                pos += 1
            else:
                sm_length = data[pos]
                pdu.fields[name] = data[pos + 1 : pos + 1 + sm_length]
                if len(pdu.fields[name]) != sm_length:
                    raise PduError("short_message runs past the PDU", Status.ESME_RINVMSGLEN)
                pos += 1 + sm_length
        while pos < len(data):
            if pos + 4 > len(data):
                raise PduError("truncated TLV header", Status.ESME_RINVOPTPARSTREAM)
            tag, size = struct.unpack_from(">HH", data, pos)
            value = data[pos + 4 : pos + 4 + size]
            if len(value) != size:
                raise PduError(f"TLV 0x{tag:04X} runs past the PDU", Status.ESME_RINVPARLEN)
            pdu.tlvs[tag] = value
            pos += 4 + size
    except ValueError as exc:  # no NUL terminator
        raise PduError(f"malformed {command_name(command_id)}: {exc}") from exc
    return pdu


def command_name(command_id: int) -> str:
    try:
        return Command(command_id).name.lower()
    except ValueError:
        return f"command 0x{command_id:08X}"


async def read_pdu(reader: asyncio.StreamReader) -> Pdu:
    """The next PDU from the stream; IncompleteReadError at EOF."""
    head = await reader.readexactly(4)
    (length,) = struct.unpack(">I", head)
    if not HEADER.size <= length <= MAX_PDU:
        raise PduError(f"command_length {length} out of range")
    return decode(head + await reader.readexactly(length - 4))


def cstring(value: bytes) -> str:
    """A C-octet-string TLV value (receipted_message_id) as text."""
    return value.split(b"\0", 1)[0].decode("latin-1")


def int_tlv(value: bytes) -> int:
    return int.from_bytes(value, "big")
