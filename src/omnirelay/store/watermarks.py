"""Conversation watermarks: one report moves every earlier outbound message of a conversation
(Messenger's delivery and read watermarks name a time, not message ids)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from omnirelay.domain import status as st
from omnirelay.store.messages import StatusUpdate
from omnirelay.store.schema import messages
from omnirelay.v1.common_pb2 import Direction

# Only messages created this long before the watermark are looked at, so the query walks the
# (account_id, create_time) index instead of the account's whole history; an older message still
# unread would have had a watermark of its own by now.
LOOKBACK_US = 7 * 24 * 3600 * 1_000_000
_MOVABLE = (st.SENT, st.DELIVERED, *st.PROVIDER_FAILURES)


@dataclass(frozen=True)
class StatusUpTo:
    """Move every outbound message from the identity to `recipient`, sent at or before
    `up_to_us`, to `status` (where the state machine allows). Returns how many moved.
    Re-runnable: it finds its messages anew each time and changes nothing of its own."""

    now_us: int
    account_id: str
    identity_id: str
    recipient: str
    status: int
    up_to_us: int
    provider_code: str = ""

    def __call__(self, conn: Connection) -> int:
        movable = [s for s in _MOVABLE if st.can_transition(s, self.status)]
        found = conn.execute(
            select(messages.c.id).where(
                messages.c.account_id == self.account_id,
                messages.c.create_time >= self.up_to_us - LOOKBACK_US,
                messages.c.identity_id == self.identity_id,
                messages.c.recipient == self.recipient,
                messages.c.direction == Direction.DIRECTION_OUTBOUND,
                messages.c.status.in_(movable),
                messages.c.sent_time <= self.up_to_us,
            )
        )
        ids = sorted(found.scalars())
        if not ids:
            return 0
        updates = [
            StatusUpdate(self.now_us, message_id=message_id, status=self.status, provider_code=self.provider_code) for message_id in ids
        ]
        StatusUpdate.run_batch(conn, updates)
        return len(ids)
