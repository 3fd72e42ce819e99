"""Delivery receipts: which deliver_sm are receipts, what they say, and which message id they
mean. Pure functions, so the table-driven tests feed them real receipts from several SMSCs."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from omnirelay.channels.smpp.pdu import Pdu, Tag, cstring, int_tlv
from omnirelay.domain import status as st
from omnirelay.domain.errors import FailureCode
from omnirelay.v1.common_pb2 import MessageError

# esm_class bits 2-5 hold the message type: 0001 an SMSC delivery receipt, 1000 an
# intermediate delivery notification. Anything else on a deliver_sm is a mobile-originated message.
_MESSAGE_TYPE_MASK = 0x3C
_RECEIPT_TYPES = (0x04, 0x20)

# message_state TLV values (SMPP 3.4 section 5.2.28) as the stat words receipts use.
MESSAGE_STATES = {1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 6: "ACCEPTD", 7: "UNKNOWN", 8: "REJECTD"}

# The text of the appendix B format, read loosely: any order, any case, missing fields. The
# id may be followed by other fields or end the text.
_FIELD = {name: re.compile(rf"(?:^|\s){name}:\s*(\S*)", re.IGNORECASE) for name in ("id", "stat", "err")}


@dataclass(frozen=True)
class Outcome:
    status: int
    failure: FailureCode | None = None
    description: str = ""


# stat -> what it means for the message. ENROUTE, ACCEPTD and UNKNOWN are not final: SENT.
OUTCOMES = {
    "DELIVRD": Outcome(st.DELIVERED),
    "ENROUTE": Outcome(st.SENT),
    "ACCEPTD": Outcome(st.SENT),
    "UNKNOWN": Outcome(st.SENT),
    "EXPIRED": Outcome(st.UNDELIVERED, FailureCode.UNDELIVERABLE, "the SMSC gave up: validity period expired"),
    "DELETED": Outcome(st.UNDELIVERED, FailureCode.UNDELIVERABLE, "the SMSC deleted the message"),
    "UNDELIV": Outcome(st.UNDELIVERED, FailureCode.UNDELIVERABLE, "the SMSC could not deliver the message"),
    "REJECTD": Outcome(st.REJECTED, FailureCode.PROVIDER_REJECTED, "the SMSC rejected the message"),
}


@dataclass(frozen=True)
class Receipt:
    message_id: str  # as the SMSC wrote it
    stat: str
    err: str

    @property
    def provider_code(self) -> str:
        return f"{self.stat} err:{self.err}" if self.err else self.stat

    def outcome(self) -> Outcome:
        known = OUTCOMES.get(self.stat)
        if known is not None:
            return known
        return Outcome(st.SENT)  # a stat word outside the spec: keep the message as it is

    def error(self) -> MessageError | None:
        outcome = self.outcome()
        if outcome.failure is None:
            return None
        return MessageError(code=outcome.failure.name, description=outcome.description, permanent=True, provider_code=self.provider_code)


def is_receipt(pdu: Pdu) -> bool:
    return pdu.get("esm_class") & _MESSAGE_TYPE_MASK in _RECEIPT_TYPES


def parse_receipt(pdu: Pdu) -> Receipt | None:
    """The receipt a deliver_sm carries; the TLVs win over the text. None without a message id."""
    text = (pdu.get("short_message") or pdu.tlvs.get(Tag.MESSAGE_PAYLOAD, b"")).decode("latin-1")
    found = {name: (m.group(1) if (m := pattern.search(text)) else "") for name, pattern in _FIELD.items()}
    message_id = found["id"]
    if Tag.RECEIPTED_MESSAGE_ID in pdu.tlvs:
        message_id = cstring(pdu.tlvs[Tag.RECEIPTED_MESSAGE_ID]) or message_id
    stat = found["stat"].upper()
    if Tag.MESSAGE_STATE in pdu.tlvs:
        stat = MESSAGE_STATES.get(int_tlv(pdu.tlvs[Tag.MESSAGE_STATE]), stat or "UNKNOWN")
    err = found["err"]
    if not err and Tag.NETWORK_ERROR_CODE in pdu.tlvs:
        err = pdu.tlvs[Tag.NETWORK_ERROR_CODE].hex()
    if not message_id:
        return None
    return Receipt(message_id, stat or "UNKNOWN", err)


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdefABCDEF" for c in text)


def canonical_id(smsc_id: str) -> str:
    """The form provider ids are stored in: numeric ids as decimal without leading zeros (so a
    receipt that writes the submit_sm_resp id in hex or zero-padded still matches), others as given.
    Derivable from the id alone, so it holds across restarts."""
    if smsc_id.isdigit():
        return str(int(smsc_id))
    if _is_hex(smsc_id):
        return str(int(smsc_id, 16))
    return smsc_id


class RecentIds:
    """The canonical ids a bind was given lately, to settle the one ambiguous case: an SMSC whose
    submit_sm_resp ids are hex made only of digits, whose receipts write them in decimal."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def add(self, smsc_id: str) -> str:
        canonical = canonical_id(smsc_id)
        self._ids[canonical] = None
        self._ids.move_to_end(canonical)
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return canonical

    def match(self, receipt_id: str) -> str:
        """The canonical id a receipt's id means: a recent one it converts to, else canonical_id."""
        candidates = [canonical_id(receipt_id)]
        if receipt_id.isdigit():  # decimal, or hex without letters; either side may be the hex one
            candidates.append(str(int(receipt_id, 16)))
            candidates.append(canonical_id(format(int(receipt_id), "x")))
        for candidate in candidates:
            if candidate in self._ids:
                return candidate
        return candidates[0]
