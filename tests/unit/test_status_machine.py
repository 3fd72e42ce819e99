"""The forward-only message status state machine (omnirelay.domain.status)."""

from __future__ import annotations

import pytest
from omnirelay.v1.common_pb2 import MessageStatus

from omnirelay.domain import status
from omnirelay.domain.status import (
    CANCELED,
    DELIVERED,
    EXPIRED,
    FAILED,
    QUEUED,
    READ,
    RECEIVED,
    REJECTED,
    SENDING,
    SENT,
    UNDELIVERED,
)

ALL = [QUEUED, SENDING, SENT, DELIVERED, READ, FAILED, UNDELIVERED, EXPIRED, CANCELED, REJECTED, RECEIVED]


def _name(s: int) -> str:
    return MessageStatus.Name(s).removeprefix("MESSAGE_STATUS_")


ALLOWED = [
    (QUEUED, SENDING), (SENDING, SENT), (SENT, DELIVERED), (SENT, READ), (DELIVERED, READ),
    (QUEUED, SENT), (QUEUED, DELIVERED),
    (FAILED, DELIVERED), (FAILED, READ), (UNDELIVERED, DELIVERED), (UNDELIVERED, READ), (REJECTED, DELIVERED),
    (QUEUED, FAILED), (SENDING, FAILED), (SENT, FAILED), (SENT, UNDELIVERED), (SENDING, REJECTED),
    (QUEUED, CANCELED), (SENDING, CANCELED), (QUEUED, EXPIRED), (SENDING, EXPIRED),
]
REFUSED = [
    (READ, DELIVERED), (DELIVERED, SENT), (SENT, SENDING), (SENDING, QUEUED), (READ, QUEUED),
    (DELIVERED, FAILED), (DELIVERED, UNDELIVERED), (READ, FAILED),
    (FAILED, SENT), (FAILED, UNDELIVERED), (UNDELIVERED, FAILED), (FAILED, CANCELED),
    (SENT, CANCELED), (DELIVERED, CANCELED), (READ, CANCELED), (SENT, EXPIRED), (DELIVERED, EXPIRED),
    (QUEUED, RECEIVED),
    *[(CANCELED, s) for s in ALL if s != CANCELED],
    *[(EXPIRED, s) for s in ALL if s != EXPIRED],
    *[(RECEIVED, s) for s in ALL if s != RECEIVED],
    *[(s, s) for s in ALL],
]


@pytest.mark.parametrize(("current", "new"), ALLOWED, ids=[f"{_name(c)}->{_name(n)}" for c, n in ALLOWED])
def test_forward_move_allowed(current: int, new: int) -> None:
    assert status.can_transition(current, new) is True


@pytest.mark.parametrize(("current", "new"), REFUSED, ids=[f"{_name(c)}->{_name(n)}" for c, n in REFUSED])
def test_move_refused(current: int, new: int) -> None:
    assert status.can_transition(current, new) is False


@pytest.mark.parametrize("s", ALL, ids=_name)
def test_is_cancelable_only_when_queued(s: int) -> None:
    assert status.is_cancelable(s) is (s == QUEUED)
