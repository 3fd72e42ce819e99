"""ListMessages: the AIP-160 filter subset, page sizes and keyset page tokens."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from omnirelay.domain.errors import Reason, invalid_field
from omnirelay.v1.common_pb2 import Channel, Direction, MessageStatus

DEFAULT_PAGE_SIZE = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PAGE_SIZE = 1000

_ENUMS = {"channel": (Channel, "CHANNEL_"), "direction": (Direction, "DIRECTION_"), "status": (MessageStatus, "MESSAGE_STATUS_")}
_STRINGS = ("identity", "sender", "recipient")
_TIMES = ("create_time",)
# One term and the AND that follows it, or the end: quoted values may contain " AND ".
_TERM = re.compile(r'\s*([a-z_]+)\s*(<=|>=|!=|=|<|>)\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*(?:\s+AND\s+|$)')


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: int | str


def page_size(requested: int) -> int:
    if requested < 0:
        raise invalid_field("page_size", "must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def parse_filter(text: str) -> list[Condition]:
    """Parse `field op value [AND field op value ...]` into conditions (enums as numbers)."""
    conditions, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TERM.match(text, pos)
        if not m:
            raise invalid_field("filter", f"cannot parse {text[pos:]!r}: expected `field op value` joined by AND", Reason.INVALID_FILTER)
        name, op, raw = m.group(1), m.group(2), m.group(3)
        try:
            value = json.loads(raw) if raw.startswith('"') else raw
        except json.JSONDecodeError:
            raise invalid_field("filter", f"bad escape in {raw}", Reason.INVALID_FILTER) from None
        conditions.append(_condition(name, op, value))
        pos = m.end()
    return conditions


def _condition(name: str, op: str, value: str) -> Condition:
    if name in _ENUMS:
        enum, prefix = _ENUMS[name]
        if op not in ("=", "!="):
            raise invalid_field("filter", f"{name} supports = and != only", Reason.INVALID_FILTER)
        key = value.upper()
        key = key if key.startswith(prefix) else prefix + key
        if key not in enum.keys() or key.endswith("UNSPECIFIED"):
            raise invalid_field("filter", f"unknown {name} {value!r}", Reason.INVALID_FILTER)
        return Condition(name, op, enum.Value(key))
    if name in _STRINGS:
        if op not in ("=", "!="):
            raise invalid_field("filter", f"{name} supports = and != only", Reason.INVALID_FILTER)
        return Condition(name, op, value)
    if name in _TIMES:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise invalid_field("filter", f"{name} needs an RFC 3339 time, got {value!r}", Reason.INVALID_FILTER) from None
        if moment.tzinfo is None:
            raise invalid_field("filter", f"{name} needs a time zone, e.g. Z", Reason.INVALID_FILTER)
        return Condition(name, op, (moment - _EPOCH) // timedelta(microseconds=1))
    known = ", ".join([*_ENUMS, *_STRINGS, *_TIMES])
    raise invalid_field("filter", f"unknown field {name!r}; filterable: {known}", Reason.INVALID_FILTER)


def query_fingerprint(*parts: str) -> str:
    """Ties a page token to the query that produced it."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def encode_page_token(after: tuple[int, str], fingerprint: str) -> str:
    raw = json.dumps({"k": list(after), "q": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, fingerprint: str) -> tuple[int, str] | None:
    """The keyset position (create_time, id) to continue after, or None for the first page."""
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        key = (int(data["k"][0]), str(data["k"][1]))
        matches = data["q"] == fingerprint
    except (ValueError, KeyError, IndexError, TypeError, binascii.Error):
        raise invalid_field("page_token", "is not a token this server issued", Reason.INVALID_PAGE_TOKEN) from None
    if not matches:
        raise invalid_field("page_token", "belongs to a query with another filter or parent", Reason.INVALID_PAGE_TOKEN)
    return key


def last_page_token(items: list[Any], size: int, key: Callable[[Any], tuple[int, str]], fingerprint: str) -> tuple[list[Any], str]:
    """Given `size + 1` fetched items: the page to return and the token for the next one."""
    if len(items) <= size:
        return items, ""
    return items[:size], encode_page_token(key(items[size - 1]), fingerprint)


def by_name(resource: Any) -> tuple[int, str]:
    """Keyset position of a resource listed in id order."""
    return 0, resource.name.rsplit("/", 1)[-1]
