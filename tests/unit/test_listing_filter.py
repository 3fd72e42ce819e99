"""ListMessages filters, page sizes and page tokens (omnirelay.domain.listing)."""

from __future__ import annotations

import base64
import json

import pytest
from omnirelay.v1.common_pb2 import Channel, Direction, MessageStatus

from omnirelay.domain import listing
from omnirelay.domain.errors import FieldViolation, GatewayError, Reason
from omnirelay.domain.listing import Condition

NOV_1_2026_US = 1_793_491_200_000_000  # 2026-11-01T00:00:00Z in microseconds


def _fields(error: GatewayError) -> list[str]:
    return [v.field for v in error.violations]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ('channel = "SMS"', [Condition("channel", "=", Channel.CHANNEL_SMS)]),
        ('channel = "CHANNEL_WHATSAPP"', [Condition("channel", "=", Channel.CHANNEL_WHATSAPP)]),
        ('channel = "sms"', [Condition("channel", "=", Channel.CHANNEL_SMS)]),
        ('channel = "channel_sms"', [Condition("channel", "=", Channel.CHANNEL_SMS)]),
        ("channel != MMS", [Condition("channel", "!=", Channel.CHANNEL_MMS)]),
        ('direction = "INBOUND"', [Condition("direction", "=", Direction.DIRECTION_INBOUND)]),
        ('status = "delivered"', [Condition("status", "=", MessageStatus.MESSAGE_STATUS_DELIVERED)]),
        ('status = "MESSAGE_STATUS_READ"', [Condition("status", "=", MessageStatus.MESSAGE_STATUS_READ)]),
        ('recipient = "+15551234567"', [Condition("recipient", "=", "+15551234567")]),
        ('sender != "ACME"', [Condition("sender", "!=", "ACME")]),
        ('identity = "accounts/a/identities/sms-1"', [Condition("identity", "=", "accounts/a/identities/sms-1")]),
        ('sender = "say \\"hi\\""', [Condition("sender", "=", 'say "hi"')]),
        ('create_time >= "2026-11-01T00:00:00Z"', [Condition("create_time", ">=", NOV_1_2026_US)]),
        ('create_time < "2026-11-01T01:00:00+01:00"', [Condition("create_time", "<", NOV_1_2026_US)]),
        ('create_time > "2026-11-01T00:00:00.000001Z"', [Condition("create_time", ">", NOV_1_2026_US + 1)]),
        ("create_time<=2026-11-01T00:00:00Z", [Condition("create_time", "<=", NOV_1_2026_US)]),
        (
            'channel = "SMS" AND status = "DELIVERED" AND create_time >= "2026-11-01T00:00:00Z"',
            [
                Condition("channel", "=", Channel.CHANNEL_SMS),
                Condition("status", "=", MessageStatus.MESSAGE_STATUS_DELIVERED),
                Condition("create_time", ">=", NOV_1_2026_US),
            ],
        ),
    ],
    ids=[
        "empty", "blank", "enum-short", "enum-full", "enum-lower", "enum-full-lower", "enum-unquoted-ne",
        "direction", "status-lower", "status-full", "recipient", "sender-ne", "identity", "escaped-quote",
        "time-utc", "time-offset", "time-micros", "time-unquoted-no-spaces", "conjunction",
    ],
)
def test_parse_filter(text: str, expected: list[Condition]) -> None:
    assert listing.parse_filter(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'colour = "red"',
        'channel > "SMS"',
        'status >= "SENT"',
        'recipient < "+1555"',
        'channel = "FAX"',
        'channel = "UNSPECIFIED"',
        'direction = "SMS"',
        "channel =",
        "just some words",
        'channel = "SMS" AND',
        'channel = "SMS" OR status = "READ"',
        'channel = "SMS" and status = "READ"',
        'create_time >= "2026-11-01T00:00:00"',
        'create_time >= "yesterday"',
        'create_time >= "2026-13-01T00:00:00Z"',
    ],
    ids=[
        "unknown-field", "enum-greater-than", "enum-gte", "string-less-than", "unknown-enum-value",
        "unspecified-enum", "value-of-other-enum", "missing-value", "unparseable", "dangling-and",
        "or-unsupported", "lowercase-and", "time-without-zone", "time-garbage", "time-bad-month",
    ],
)
def test_parse_filter_rejects(text: str) -> None:
    with pytest.raises(GatewayError) as raised:
        listing.parse_filter(text)
    assert raised.value.reason is Reason.INVALID_FILTER
    assert _fields(raised.value) == ["filter"]


def test_parse_filter_bad_escape_is_invalid_filter() -> None:
    with pytest.raises(GatewayError) as raised:
        listing.parse_filter('recipient = "\\q"')
    assert raised.value.reason is Reason.INVALID_FILTER


def test_parse_filter_and_inside_quoted_value() -> None:
    assert listing.parse_filter('sender = "Tom AND Jerry"') == [Condition("sender", "=", "Tom AND Jerry")]


def test_parse_filter_time_is_exact_to_the_microsecond() -> None:
    # 2005-04-17T08:29:02.646319Z = 1113726542 s + 646319 us; float math yields ...646318.
    assert listing.parse_filter('create_time >= "2005-04-17T08:29:02.646319Z"') == [
        Condition("create_time", ">=", 1_113_726_542_646_319)
    ]


@pytest.mark.parametrize(
    ("requested", "expected"),
    [(0, 50), (1, 1), (50, 50), (999, 999), (1000, 1000), (1001, 1000), (2**31 - 1, 1000)],
    ids=["zero-default", "one", "fifty", "999", "max", "over-max", "int32-max"],
)
def test_page_size(requested: int, expected: int) -> None:
    assert listing.page_size(requested) == expected


@pytest.mark.parametrize("requested", [-1, -1000], ids=["minus-one", "minus-1000"])
def test_page_size_negative(requested: int) -> None:
    with pytest.raises(GatewayError) as raised:
        listing.page_size(requested)
    assert raised.value.reason is Reason.INVALID_FIELD
    assert raised.value.violations == [FieldViolation("page_size", "must not be negative")]


FP = listing.query_fingerprint("accounts/a", 'channel = "SMS"')


@pytest.mark.parametrize(
    "after",
    [(NOV_1_2026_US, "0194f3a2b1c0aa55aa55aa55aa55"), (0, ""), (1, "id/with/slash-é")],
    ids=["typical", "zeros", "odd-id"],
)
def test_page_token_round_trip(after: tuple[int, str]) -> None:
    token = listing.encode_page_token(after, FP)
    assert "=" not in token and "+" not in token and "/" not in token
    assert listing.decode_page_token(token, FP) == after


def test_empty_page_token_is_first_page() -> None:
    assert listing.decode_page_token("", FP) is None


def test_query_fingerprint_depends_on_every_part() -> None:
    assert listing.query_fingerprint("a", "b") == listing.query_fingerprint("a", "b")
    assert len({listing.query_fingerprint("a", "b"), listing.query_fingerprint("a", "c"), listing.query_fingerprint("ab", "")}) == 3


def _b64(data: object) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "not a token!",
        "a",
        "é",
        _b64(b"\xff\xfe"),
        _b64(b"plain text"),
        _b64([1, "x"]),
        _b64({"q": FP}),
        _b64({"k": [], "q": FP}),
        _b64({"k": ["soon", "x"], "q": FP}),
        _b64({"k": {"a": 1}, "q": FP}),
        _b64({"k": [1, "x"]}),
        _b64("string"),
    ],
    ids=[
        "punctuation", "one-char", "non-ascii", "not-utf8", "not-json", "json-list", "no-key", "empty-key",
        "non-int-time", "key-is-object", "no-fingerprint", "json-string",
    ],
)
def test_garbage_page_token(token: str) -> None:
    with pytest.raises(GatewayError) as raised:
        listing.decode_page_token(token, FP)
    assert raised.value.reason is Reason.INVALID_PAGE_TOKEN
    assert _fields(raised.value) == ["page_token"]


def test_page_token_from_another_query() -> None:
    token = listing.encode_page_token((NOV_1_2026_US, "abc"), FP)
    other = listing.query_fingerprint("accounts/a", 'channel = "MMS"')
    with pytest.raises(GatewayError) as raised:
        listing.decode_page_token(token, other)
    assert raised.value.reason is Reason.INVALID_PAGE_TOKEN
    assert _fields(raised.value) == ["page_token"]
