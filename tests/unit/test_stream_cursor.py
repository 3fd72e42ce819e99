"""Opaque stream cursors (omnirelay.events.cursor)."""

from __future__ import annotations

import base64

import pytest

from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.events import cursor


@pytest.mark.parametrize("seq", [0, 1, 42, 2**53 + 1, 2**63 - 1], ids=["zero", "one", "small", "beyond-float", "int64-max"])
def test_round_trip(seq: int) -> None:
    encoded = cursor.encode(seq)
    assert "=" not in encoded and str(seq) not in encoded
    assert cursor.decode(encoded) == seq


def test_cursors_are_distinct() -> None:
    assert len({cursor.encode(n) for n in range(1000)}) == 1000


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    ["", "a", "!!!!", "é", _b64(b"42"), _b64(b"c2:42"), _b64(b"c1:"), _b64(b"c1:forty"), _b64(b"c1:-5"), _b64(b"c1:4.2"), _b64(b"\xffc1:1")],
    ids=["empty", "one-char", "punctuation", "non-ascii", "no-prefix", "other-version", "no-number", "not-a-number", "negative", "float", "junk-before-prefix"],
)
def test_garbage_is_invalid_cursor(value: str) -> None:
    with pytest.raises(GatewayError) as raised:
        cursor.decode(value)
    assert raised.value.reason is Reason.INVALID_CURSOR
    assert [v.field for v in raised.value.violations] == ["start.cursor"]


def test_violation_names_the_given_field() -> None:
    with pytest.raises(GatewayError) as raised:
        cursor.decode("garbage!", field="checkpoint.cursor")
    assert [v.field for v in raised.value.violations] == ["checkpoint.cursor"]
