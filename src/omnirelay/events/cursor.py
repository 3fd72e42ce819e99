"""Opaque stream cursors: a position in the event log."""

from __future__ import annotations

import base64
import binascii

from omnirelay.domain.errors import Reason, invalid_field

_PREFIX = b"c1:"


def encode(seq: int) -> str:
    return base64.urlsafe_b64encode(_PREFIX + str(seq).encode()).decode().rstrip("=")


def decode(cursor: str, field: str = "start.cursor") -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if not raw.startswith(_PREFIX):
            raise ValueError(cursor)
        seq = int(raw[len(_PREFIX):])
    except (ValueError, binascii.Error):
        raise invalid_field(field, "is not a cursor this server issued", Reason.INVALID_CURSOR) from None
    if seq < 0:
        raise invalid_field(field, "is not a cursor this server issued", Reason.INVALID_CURSOR)
    return seq
