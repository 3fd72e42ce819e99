"""GCRA pacing: slots never closer than the interval, never before now, reserved up to the horizon."""

from __future__ import annotations

import pytest

from omnirelay.domain.ratelimit import JITTER_GUARD, LEAD_US, HandOverSpacing, interval_us, parse_rate, plan, rate_problem

S = 1_000_000


def test_interval_keeps_the_jitter_guard_free() -> None:
    assert interval_us(1) == (1 + JITTER_GUARD) * S
    assert interval_us(100) == pytest.approx((1 + JITTER_GUARD) * S / 100, abs=1)


def test_an_idle_identity_sends_soon_then_one_slot_per_interval() -> None:
    p = plan(tat=0, now=10 * S, interval=S // 4, count=6, horizon=S)
    first = 10 * S + LEAD_US
    assert p.send_at == [first, first + S // 4, first + S // 2, first + 3 * S // 4]
    assert p.defer_to == [first + S, first + S + S // 4]
    assert p.tat == first + S


def test_a_busy_identity_continues_from_its_tat() -> None:
    p = plan(tat=10 * S + S // 2, now=10 * S, interval=S // 2, count=3, horizon=S)
    assert p.send_at == [10 * S + S // 2, 11 * S]
    assert p.defer_to == [11 * S + S // 2]


def test_nothing_is_reserved_beyond_the_horizon() -> None:
    p = plan(tat=20 * S, now=10 * S, interval=S, count=2, horizon=S)
    assert p.send_at == []
    assert p.defer_to == [20 * S, 21 * S]
    assert p.tat == 20 * S


def test_any_one_second_window_holds_at_most_rate_sends() -> None:
    rate = 7
    interval = interval_us(rate)
    tat, now, sent = 0, 0, []
    for now in range(0, 5 * S, S // 10):  # claims every 100 ms
        p = plan(tat, now, interval, count=50, horizon=S)
        sent.extend(p.send_at)
        tat = p.tat
    assert max(sum(1 for t in sent if start <= t < start + S) for start in sent) == rate


@pytest.mark.parametrize(("value", "rate"), [("", None), ("1", 1.0), ("80", 80.0), ("0.5", 0.5), ("0", None), ("-3", None), ("x", None), ("1e9", None)])
def test_parse_rate(value: str, rate: float | None) -> None:
    assert parse_rate({"rate_per_second": value}) == rate
    assert (rate_problem({"rate_per_second": value}) is None) == (rate is not None or value == "")


def test_a_hand_over_keeps_the_next_one_rate_apart_whatever_its_slot() -> None:
    spacing, sms, mms = HandOverSpacing(), ("acct", "sms"), ("acct", "mms")
    assert spacing.earliest(sms, 4, slot=S) == S  # nothing handed over yet: the slot
    spacing.handed_over(sms, 2 * S)  # the send for slot S went late, at 2 s
    assert spacing.earliest(sms, 4, slot=S + S // 4) == 2 * S + S // 4
    assert spacing.earliest(sms, 4, slot=3 * S) == 3 * S
    assert spacing.earliest(mms, 4, slot=S) == S  # identities are spaced apart from each other
