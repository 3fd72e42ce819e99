"""The forward-only message status state machine."""

from __future__ import annotations

from omnirelay.v1.common_pb2 import MessageStatus

QUEUED = MessageStatus.MESSAGE_STATUS_QUEUED
SENDING = MessageStatus.MESSAGE_STATUS_SENDING
SENT = MessageStatus.MESSAGE_STATUS_SENT
DELIVERED = MessageStatus.MESSAGE_STATUS_DELIVERED
READ = MessageStatus.MESSAGE_STATUS_READ
FAILED = MessageStatus.MESSAGE_STATUS_FAILED
UNDELIVERED = MessageStatus.MESSAGE_STATUS_UNDELIVERED
EXPIRED = MessageStatus.MESSAGE_STATUS_EXPIRED
CANCELED = MessageStatus.MESSAGE_STATUS_CANCELED
REJECTED = MessageStatus.MESSAGE_STATUS_REJECTED
RECEIVED = MessageStatus.MESSAGE_STATUS_RECEIVED
# Only on events: a message leaving a failed or timed-out channel attempt for its next fallback.
SWITCHING_CHANNEL = MessageStatus.MESSAGE_STATUS_SWITCHING_CHANNEL

# Progress along the happy path. A report may skip steps (WhatsApp sends `read` without
# `delivered`), but never moves back.
_RANK = {QUEUED: 1, SENDING: 2, SENT: 3, DELIVERED: 4, READ: 5}

# Failures the gateway decides before the provider has the message: final at once.
GATEWAY_TERMINAL = frozenset({EXPIRED, CANCELED})
# Failures a provider reports. `delivered` or `read` may still arrive after `failed` (providers
# report late and out of order); the handset's word wins over the provider's guess.
PROVIDER_FAILURES = frozenset({FAILED, UNDELIVERED, REJECTED})
TERMINAL = GATEWAY_TERMINAL | PROVIDER_FAILURES | {READ, RECEIVED}


def has_reached(status: int, target: int) -> bool:
    """True when `status` is `target` or further along the happy path (failures reach nothing)."""
    return _RANK.get(status, 0) >= _RANK[target]


def is_terminal(status: int) -> bool:
    return status in TERMINAL


def can_transition(current: int, new: int) -> bool:
    """True when `new` is a forward move from `current`; repeats and regressions are ignored.

    The one deliberate exception lives in domain/fallback.py: a channel switch moves a message
    that failed (or got no positive status in time) back to QUEUED on its next fallback
    identity, after a SWITCHING_CHANNEL event. Reports about the earlier attempt no longer move
    the message."""
    if current == new or current in GATEWAY_TERMINAL or current == RECEIVED:
        return False
    if new in GATEWAY_TERMINAL:
        # Only the gateway itself expires or cancels, and only before the provider has it.
        return current in (QUEUED, SENDING)
    if current in PROVIDER_FAILURES:
        return new in (DELIVERED, READ)
    if new in PROVIDER_FAILURES:
        return current in (QUEUED, SENDING, SENT)
    return _RANK.get(new, 0) > _RANK.get(current, 0)


def aggregate_parts(part_statuses: list[int]) -> int:
    """A multi-part message's status from its parts' (SENT for a part with no report yet):
    failed when any part failed, otherwise as far as its least advanced part."""
    for status in part_statuses:
        if status in PROVIDER_FAILURES:
            return status
    return min(part_statuses, key=lambda s: _RANK.get(s, 0))


def is_cancelable(status: int) -> bool:
    """Cancel is allowed only while the message has not been handed to the provider."""
    return status == QUEUED
