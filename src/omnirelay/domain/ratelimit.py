"""Per-identity send rates, paced with GCRA (the generic cell rate algorithm, as in ATM and
redis-cell): one number per identity, the theoretical arrival time `tat`, the earliest moment
the next send may go. Every send takes a slot `interval` after the previous one, so no burst
ever exceeds the rate. The dispatcher reserves slots for the messages it claims, up to a short
horizon ahead, and sends each at its slot; messages beyond the horizon stay queued with their
next attempt pushed to the slot they would get.

A send leaves at its slot plus the dispatching replica's delays, and those differ by tens of
milliseconds between sends on a loaded machine. Two margins keep the provider from ever seeing
more than `rate` sends in any one-second window: a slot is never sooner than LEAD_US after it
is reserved (the claim's commit and hand-over to the sending task take that long), and slots
are spaced so that JITTER_GUARD of every second stays free. A send later than both margins
(the event loop stalled) must not bunch with the next: each process also keeps its own hand-overs
of one identity at least one second / rate apart (HandOverSpacing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

RATE_SETTING = "rate_per_second"
MAX_RATE = 10_000.0
JITTER_GUARD = 0.05  # seconds of each second
LEAD_US = 50_000


def parse_rate(settings: Mapping[str, str]) -> float | None:
    """The identity's `rate_per_second` setting, or None when it has none (or a bad one,
    which validation refuses)."""
    value = settings.get(RATE_SETTING, "").strip()
    if not value:
        return None
    try:
        rate = float(value)
    except ValueError:
        return None
    return rate if 0 < rate <= MAX_RATE else None


def rate_problem(settings: Mapping[str, str]) -> str | None:
    """Why the `rate_per_second` setting is unusable, or None when it is fine or absent."""
    if settings.get(RATE_SETTING, "").strip() and parse_rate(settings) is None:
        return f"must be a number of messages per second above 0 and at most {MAX_RATE:g}"
    return None


def interval_us(rate_per_second: float) -> int:
    """Microseconds between two sends of an identity limited to `rate_per_second`."""
    return math.ceil((1.0 + JITTER_GUARD) / rate_per_second * 1_000_000)


class HandOverSpacing:
    """One process's last hand-over per paced identity: the next may not go sooner than one
    second / rate after it, whatever its slot says."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, str], int] = {}

    def earliest(self, identity: tuple[str, str], rate_per_second: float, slot: int) -> int:
        last = self._last.get(identity)
        return slot if last is None else max(slot, last + math.ceil(1_000_000 / rate_per_second))

    def handed_over(self, identity: tuple[str, str], at: int) -> None:
        self._last[identity] = at


@dataclass(frozen=True)
class RatePlan:
    send_at: list[int]  # slots reserved for the first len(send_at) messages, in order
    defer_to: list[int]  # for the rest: the slots they would get, their next attempt time
    tat: int  # the new theoretical arrival time


def plan(tat: int, now: int, interval: int, count: int, horizon: int) -> RatePlan:
    """Slots for `count` messages of one identity, in order, all times in microseconds: each
    slot is `interval` after the previous one and none before `now + LEAD_US`; slots up to
    `now + horizon` are reserved (the new `tat` follows the last of them)."""
    first = max(tat, now + LEAD_US)
    slots = [first + i * interval for i in range(count)]
    reserved = sum(1 for slot in slots if slot <= now + horizon)
    return RatePlan(slots[:reserved], slots[reserved:], slots[reserved - 1] + interval if reserved else tat)
