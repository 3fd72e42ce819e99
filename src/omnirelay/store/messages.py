"""Message writes (as group-commit operations) and reads."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, or_, select, tuple_, update

from omnirelay.domain import clock, fallback, ratelimit, sessions, validation
from omnirelay.domain import status as st
from omnirelay.domain.clock import to_timestamp
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.domain.listing import Condition
from omnirelay.domain.names import identity_name, message_name
from omnirelay.store import statements
from omnirelay.store.database import dialect_insert, group_keys, matching_keys
from omnirelay.store.notify import DISPATCH, EVENTS
from omnirelay.store.schema import (
    EVENT_INBOUND,
    EVENT_STATUS,
    connection_leases,
    events,
    identities,
    messages,
    parked_reports,
    provider_refs,
    rate_limits,
)
from omnirelay.store.sessions import last_inbound_times, record_inbound
from omnirelay.v1.common_pb2 import DIRECTION_INBOUND, DIRECTION_OUTBOUND, MessageError
from omnirelay.v1.messaging_pb2 import ChannelAttempt, InboundMessageEvent, Message, MessageEvent

REQUEST_ID_WINDOW_US = 24 * 3600 * 1_000_000
Row = Mapping[str, Any]

_TIME_COLUMN = {st.SENT: "sent_time", st.DELIVERED: "delivered_time", st.READ: "read_time"}

# Hot statements are built once: SQLAlchemy then memoizes their cache keys instead of building
# and keying a new statement per batch.
_MESSAGES_BY_ID = select(messages).where(messages.c.id.in_(bindparam("ids", expanding=True)))
_REF_COLUMNS = (provider_refs.c.account_id, provider_refs.c.identity_id, provider_refs.c.provider_message_id)
_INSERT_MESSAGES = insert(messages)
_INSERT_EVENTS = insert(events)
_INSERT_REFS = insert(provider_refs)
_INSERT_PARKED = insert(parked_reports)
# The messages provider ids belong to, each row with the id it was found by (ref_*): one
# statement where a lookup of the ids and then of their messages took two.
_MESSAGES_BY_REF = (
    select(messages, *(c.label(f"ref_{c.name}") for c in _REF_COLUMNS))
    .join(provider_refs, provider_refs.c.message_id == messages.c.id)
    .where(
        provider_refs.c.account_id == bindparam("account_id"), provider_refs.c.identity_id == bindparam("identity_id"),
        provider_refs.c.provider_message_id.in_(bindparam("ids", expanding=True)),
    )
)
_PARKED_BY_ID = select(parked_reports).where(
    parked_reports.c.account_id == bindparam("account_id"), parked_reports.c.identity_id == bindparam("identity_id"),
    parked_reports.c.provider_message_id.in_(bindparam("ids", expanding=True)),
)
_DUE = (
    select(messages)
    .where(
        messages.c.next_attempt_time <= bindparam("now"),
        or_(messages.c.lease_expire_time.is_(None), messages.c.lease_expire_time < bindparam("now")),
    )
    .order_by(messages.c.next_attempt_time)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
# With exclusive adapters: messages of identities they serve only where :owner holds a live lease
# on the identity's connection.
_SERVED_BY_EXCLUSIVE = (
    select(identities.c.id)
    .where(identities.c.account_id == messages.c.account_id, identities.c.id == messages.c.identity_id,
           identities.c.adapter.in_(bindparam("adapters", expanding=True)))
    .exists()
)
_LEASE_HELD = (
    select(connection_leases.c.owner)
    .where(
        connection_leases.c.account_id == messages.c.account_id, connection_leases.c.identity_id == messages.c.identity_id,
        connection_leases.c.owner == bindparam("owner"), connection_leases.c.expire_time > bindparam("now"),
    )
    .exists()
)
_DUE_EXCLUSIVE = _DUE.where(or_(~_SERVED_BY_EXCLUSIVE, _LEASE_HELD))
_LEASE = update(messages).where(messages.c.id == bindparam("b_id")).values(
    status=st.SENDING, lease_owner=bindparam("b_owner"), lease_expire_time=bindparam("b_lease"),
    next_attempt_time=bindparam("b_next"), attempts=messages.c.attempts + 1, update_time=bindparam("b_now"),
)


_IDENTITY_SETTINGS = select(identities.c.account_id, identities.c.id, identities.c.settings).where(
    identities.c.account_id == bindparam("account_id"), identities.c.id.in_(bindparam("ids", expanding=True)),
)


def _by_keys(conn: Connection, statement: Any, leading: tuple[str, ...], keys: Iterable[tuple[str, ...]]) -> list[dict[str, Any]]:
    """The rows of `statement` (`leading` columns equal, the last one IN :ids) for composite
    keys: one index search per leading part (a batch's keys mostly share one identity)."""
    return [row for prefix, ids in group_keys(keys).items()
            for row in statements.run(conn, statement, {**dict(zip(leading, prefix, strict=True)), "ids": ids})]


def _by_provider_id(conn: Connection, statement: Any, refs: Iterable[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Rows of `statement` (messages by ref, parked_reports) for these (account, identity,
    provider id) keys."""
    return _by_keys(conn, statement, ("account_id", "identity_id"), refs)


def _messages_by_ref(conn: Connection, refs: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Row]:
    """The stored messages these provider ids belong to, by (account, identity, provider id)."""
    return {(r["ref_account_id"], r["ref_identity_id"], r["ref_provider_message_id"]): r for r in _by_provider_id(conn, _MESSAGES_BY_REF, refs)}


# Plain strings: a Column's name is SQLAlchemy's quoted_name, which a row sent to the SQLite
# writer process carries pickled as a constructor call per key (an InsertMessage took 69 us to
# unpickle with them, 5 without).
_MESSAGE_COLUMNS = tuple(str(c.name) for c in messages.columns)


def new_message_row(**values: Any) -> dict[str, Any]:
    """A complete messages row: every column present, unset ones NULL or zero."""
    row: dict[str, Any] = dict.fromkeys(_MESSAGE_COLUMNS)
    row.update(sms_encoding=0, segment_count=0, attempts=0, create_time=values["create_time"], update_time=values["create_time"])
    row.update(values)
    return row


def to_message(row: Row) -> Message:
    """Build the API resource from a row: the body proto plus the indexed columns."""
    m = Message.FromString(row["body"])
    m.name = message_name(row["account_id"], row["id"])
    m.channel = row["channel"]
    m.identity = identity_name(row["account_id"], row["identity_id"])
    m.sender = row["sender"]
    m.recipient = row["recipient"]
    m.direction = row["direction"]
    m.status = row["status"]
    if row["error_code"]:
        m.error.CopyFrom(_error(row))
    m.provider_message_ids.extend(provider_ids(row))
    m.sms_encoding = row["sms_encoding"]
    m.segment_count = row["segment_count"]
    m.attempts = row["attempts"]
    m.request_id = row["request_id"] or ""
    for name in ("create_time", "update_time", "sent_time", "delivered_time", "read_time", "expire_time", "receive_time"):
        ts = to_timestamp(row[name])
        if ts is not None:
            getattr(m, name).CopyFrom(ts)
    if row["direction"] == DIRECTION_OUTBOUND:
        ended = ended_attempts(row)
        m.channel_attempts.extend(ended)
        if len(ended) <= len(m.fallbacks):
            m.channel_attempts.append(_current_attempt(row, ended))
    return m


def provider_ids(row: Row) -> list[str]:
    """The provider ids column (JSON; NULL before the hand-over, where a parse would cost more
    than the rest of building the message)."""
    ids = row["provider_message_ids"]
    return json.loads(ids) if ids else []


def ended_attempts(row: Row) -> list[ChannelAttempt]:
    """The channel attempts the message has moved on from (or, after NO_CHANNELS_LEFT, all)."""
    return list(Message.FromString(row["channel_attempts"]).channel_attempts) if row["channel_attempts"] else []


def _current_attempt(row: Row, ended: list[ChannelAttempt]) -> ChannelAttempt:
    attempt = ChannelAttempt(
        identity=identity_name(row["account_id"], row["identity_id"]), channel=row["channel"], sender=row["sender"],
        recipient=row["recipient"], status=row["status"], attempts=row["attempts"],
        provider_message_ids=provider_ids(row),
    )
    if row["error_code"]:
        attempt.error.CopyFrom(_error(row))
    attempt.start_time.FromMicroseconds(ended[-1].end_time.ToMicroseconds() if ended else row["create_time"])
    return attempt


def _error(row: Row) -> MessageError:
    return MessageError(
        code=row["error_code"] or "",
        description=row["error_description"] or "",
        permanent=bool(row["error_permanent"]),
        provider_code=row["error_provider_code"] or "",
    )


def status_event(row: Row, provider_code: str, now_us: int) -> dict[str, Any]:
    """The event-log row for a status change of `row` (already holding the new status)."""
    body = Message.FromString(row["body"])
    event = MessageEvent(
        message=message_name(row["account_id"], row["id"]),
        status=row["status"],
        provider_code=provider_code,
        channel=row["channel"],
        identity=identity_name(row["account_id"], row["identity_id"]),
        recipient=row["recipient"],
        metadata=body.metadata,
        provider_message_ids=provider_ids(row),
        channel_attempt=len(ended_attempts(row)),
    )
    if row["error_code"] and row["status"] in st.PROVIDER_FAILURES | st.GATEWAY_TERMINAL | {st.SWITCHING_CHANNEL}:
        event.error.CopyFrom(_error(row))
    event.event_time.FromMicroseconds(now_us)
    return {"account_id": row["account_id"], "kind": EVENT_STATUS, "message_id": row["id"], "event_time": now_us, "payload": event.SerializeToString()}


def inbound_event(row: Row, now_us: int) -> dict[str, Any]:
    event = InboundMessageEvent(message=to_message(row))
    event.event_time.FromMicroseconds(now_us)
    return {"account_id": row["account_id"], "kind": EVENT_INBOUND, "message_id": row["id"], "event_time": now_us, "payload": event.SerializeToString()}


@dataclass
class InsertMessage:
    """Store a new message (outbound QUEUED or inbound RECEIVED) and its first event.

    With a request_id, a repeat within 24 hours returns the stored message instead; the same id
    with a different request fails with REQUEST_ID_REUSED. A new outbound message with
    `session_window_us` needs the recipient's last inbound message within that long
    (OUTSIDE_SESSION_WINDOW otherwise); an inbound message on a window channel opens the window.
    """

    row: dict[str, Any]
    now_us: int
    session_window_us: int | None = None

    def __call__(self, conn: Connection) -> tuple[Message, bool]:
        return (self.run_batch(conn, [self]))[0]

    @staticmethod
    def wakes(result: tuple[Message, bool]) -> frozenset[str]:
        message, created = result
        if not created:
            return frozenset()
        outbound = message.direction == DIRECTION_OUTBOUND
        return frozenset({EVENTS, DISPATCH}) if outbound else frozenset({EVENTS})

    @classmethod
    def run_batch(cls, conn: Connection, ops: Sequence[InsertMessage]) -> list[tuple[Message, bool]]:
        known = _known_inbound(conn, ops)
        keyed = {(op.row["account_id"], op.row["request_id"]) for op in ops if op.row["request_id"]}
        existing: dict[tuple[str, str], Row] = {}
        if keyed:
            found = conn.execute(
                select(messages).where(matching_keys((messages.c.account_id, messages.c.request_id), keyed))
            )
            existing = {(r["account_id"], r["request_id"]): r for r in found.mappings()}
        results: list[tuple[Message, bool]] = []
        new_rows: list[dict[str, Any]] = []
        windowed: list[InsertMessage] = []
        expired_keys: list[str] = []
        new_refs: list[dict[str, Any]] = []
        for op in ops:
            inbound_refs = _inbound_refs(op.row)
            duplicate = next((known[r] for r in inbound_refs if r in known), None)
            if duplicate is not None:
                # A provider's retry of a callback already stored: store it once.
                results.append((to_message(duplicate), False))
                continue
            known.update(dict.fromkeys(inbound_refs, op.row))
            new_refs.extend(
                {"account_id": a, "identity_id": i, "provider_message_id": pid, "message_id": op.row["id"], "status": None}
                for a, i, pid in inbound_refs
            )
            key = (op.row["account_id"], op.row["request_id"])
            prior = existing.get(key) if op.row["request_id"] else None
            if prior is not None and prior["create_time"] >= op.now_us - REQUEST_ID_WINDOW_US:
                if prior["request_hash"] != op.row["request_hash"]:
                    raise GatewayError(
                        Reason.REQUEST_ID_REUSED,
                        f"request_id {op.row['request_id']!r} was used for a different request",
                        metadata={"message": message_name(prior["account_id"], prior["id"])},
                    )
                results.append((to_message(prior), False))
                continue
            if prior is not None:
                expired_keys.append(prior["id"])
            if op.row["request_id"]:
                existing[key] = op.row
            new_rows.append(op.row)
            if op.session_window_us is not None:
                windowed.append(op)
            results.append((to_message(op.row), True))
        if expired_keys:
            # Past the 24 hour window the id is free again.
            conn.execute(update(messages).where(messages.c.id.in_(expired_keys)).values(request_id=None))
        if new_rows:
            _check_windows(conn, windowed)
            statements.run(conn, _INSERT_MESSAGES, new_rows)
            statements.run(conn, _INSERT_EVENTS, [_first_event(row) for row in new_rows])
            record_inbound(conn, _inbound_windows(new_rows))
        if new_refs:
            statements.run(conn, _INSERT_REFS, new_refs)
        return results


def _inbound_refs(row: Row) -> list[tuple[str, str, str]]:
    if row["direction"] != DIRECTION_INBOUND or not row["provider_message_ids"]:
        return []
    return [(row["account_id"], row["identity_id"], pid) for pid in json.loads(row["provider_message_ids"])]


def _known_inbound(conn: Connection, ops: Sequence[InsertMessage]) -> dict[tuple[str, str, str], Row]:
    """Stored inbound messages that carry any of these rows' provider ids."""
    refs = [ref for op in ops for ref in _inbound_refs(op.row)]
    return _messages_by_ref(conn, refs) if refs else {}


def _check_windows(conn: Connection, ops: Sequence[InsertMessage]) -> None:
    found = last_inbound_times(conn, [_window_key(op.row) for op in ops])
    for op in ops:
        assert op.session_window_us is not None
        state = sessions.window_state(op.row["channel"], found.get(_window_key(op.row)), op.now_us, op.session_window_us)
        if not state.open:
            raise sessions.outside_window(op.row["channel"], state)


def _window_key(row: Row) -> tuple[str, str, str]:
    contact = row["sender"] if row["direction"] == DIRECTION_INBOUND else row["recipient"]
    return row["account_id"], row["identity_id"], contact


def _inbound_windows(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], int]:
    latest: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row["direction"] == DIRECTION_INBOUND and row["channel"] in sessions.WINDOW_CHANNELS:
            key = _window_key(row)
            latest[key] = max(latest.get(key, 0), row["create_time"])
    return latest


def _first_event(row: Row) -> dict[str, Any]:
    if row["direction"] == DIRECTION_INBOUND:
        return inbound_event(row, row["create_time"])
    return status_event(row, "", row["create_time"])


@dataclass
class StatusUpdate:
    """A change to one message from dispatch or a provider report.

    The status moves only where the state machine allows; everything else in the update still
    applies (a retry schedule, provider ids). A failure of a message with a fallback left moves
    it to that fallback instead (see leave_attempt). Returns the message's status after the
    change, or None when the message is unknown.
    """

    now_us: int
    message_id: str | None = None
    # Or find the message by the provider's id: (account_id, identity_id, provider_message_id).
    provider_ref: tuple[str, str, str] | None = None
    status: int | None = None
    error: MessageError | None = None
    provider_code: str = ""
    provider_message_ids: list[str] | None = None
    # Dispatch bookkeeping: "done" (handed over or finished), "retry" at retry_at, or None.
    dispatch: str | None = None
    retry_at: int | None = None
    # The channel attempt a dispatch outcome belongs to; ignored once the message moved on.
    channel_attempt: int | None = None

    @staticmethod
    def wakes(status: int | None) -> frozenset[str]:
        # A failure that switched the message to its fallback made it due again.
        return frozenset({EVENTS, DISPATCH}) if status == st.QUEUED else frozenset({EVENTS})

    def __call__(self, conn: Connection) -> int | None:
        return (self.run_batch(conn, [self]))[0]

    @classmethod
    def run_batch(cls, conn: Connection, ops: Sequence[StatusUpdate]) -> list[int | None]:
        """The messages' statuses after the change, None where the message is unknown: no
        caller needs more, and the SQLite writer process sends every result back pickled."""
        # Resolve provider ids without changing the ops: a failed batch re-runs them one by one.
        refs = {op.provider_ref for op in ops if op.provider_ref and not op.message_id}
        by_ref = _messages_by_ref(conn, refs) if refs else {}
        stored: dict[str, Row] = {r["id"]: r for r in by_ref.values()}
        targets = [op.message_id or (by_ref[op.provider_ref]["id"] if op.provider_ref in by_ref else None) for op in ops]
        missing = {t for t in targets if t and t not in stored}
        if missing:
            stored.update((r["id"], r) for r in statements.run(conn, _MESSAGES_BY_ID, {"ids": list(missing)}))
        rows = {message_id: dict(r) for message_id, r in stored.items()}
        parts = _part_statuses(conn, [rows[t] for t, op in zip(targets, ops, strict=True) if t in rows and op.provider_ref and not op.message_id])
        new_events: list[dict[str, Any]] = []
        new_refs: list[dict[str, Any]] = []
        parked: list[dict[str, Any]] = []
        touched: dict[str, dict[str, Any]] = {}
        results: list[int | None] = []
        for op, target in zip(ops, targets, strict=True):
            row = rows.get(target or "")
            if row is None:
                if op.provider_ref and not op.message_id and op.status is not None:
                    parked.append(op._parked())
                results.append(None)
                continue
            sent_from = row["identity_id"]  # before a switch to a fallback moves the message
            effective = op._for_part(parts[row["id"]]) if op.provider_ref in parts.get(row["id"], {}) else op
            new_events.extend(effective.apply(row))
            if op.provider_message_ids:
                new_refs.extend(
                    {"account_id": row["account_id"], "identity_id": sent_from, "provider_message_id": pid, "message_id": row["id"], "status": None}
                    for pid in op.provider_message_ids
                )
            touched[row["id"]] = row
            results.append(row["status"])
        if touched:
            _write_back(conn, list(touched.values()), stored)
        if parts:
            conn.execute(
                update(provider_refs)
                .where(tuple_(*_REF_COLUMNS) == tuple_(bindparam("b_account"), bindparam("b_identity"), bindparam("b_pid")))
                .values(status=bindparam("b_status")),
                [{"b_account": a, "b_identity": i, "b_pid": pid, "b_status": status}
                 for statuses in parts.values() for (a, i, pid), status in statuses.items()],
            )
        statements.run(conn, _INSERT_REFS, new_refs)
        statements.run(conn, _INSERT_EVENTS, new_events)
        statements.run(conn, _INSERT_PARKED, parked)
        if new_refs:
            apply_parked_reports(conn, [(r["account_id"], r["identity_id"], r["provider_message_id"]) for r in new_refs], max(op.now_us for op in ops))
        return results

    def _parked(self) -> dict[str, Any]:
        assert self.provider_ref is not None and self.status is not None
        account_id, identity_id, provider_message_id = self.provider_ref
        return {
            "account_id": account_id, "identity_id": identity_id, "provider_message_id": provider_message_id,
            "status": self.status, "provider_code": self.provider_code,
            "error": self.error.SerializeToString() if self.error is not None else None, "receive_time": self.now_us,
        }

    def _for_part(self, statuses: dict[tuple[str, str, str], int]) -> StatusUpdate:
        """This report moves one part (statuses is updated in place); the message moves to the
        parts' aggregate, and takes the error only when that aggregate is a failure."""
        assert self.provider_ref is not None
        current = statuses[self.provider_ref]
        if self.status is not None and st.can_transition(current, self.status):
            statuses[self.provider_ref] = self.status
        overall = st.aggregate_parts(list(statuses.values()))
        error = self.error if overall in st.PROVIDER_FAILURES else None
        return replace(self, status=overall, error=error)

    def apply(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        """Change `row` in place; return the event-log rows of the status changes."""
        ended = ended_attempts(row)
        if self.channel_attempt is not None and self.channel_attempt != len(ended):
            return []
        if ended and self.provider_ref is not None:
            pid = self.provider_ref[2]
            _follow_ended_attempt(row, ended, pid, self.status, self.now_us)
            if pid not in provider_ids(row):
                return []  # about an attempt the message has left
        row["update_time"] = self.now_us
        if self.provider_message_ids:
            row["provider_message_ids"] = json.dumps(self.provider_message_ids)
        if self.dispatch == "done":
            row["next_attempt_time"] = row["lease_owner"] = row["lease_expire_time"] = None
        elif self.dispatch == "retry":
            row["next_attempt_time"], row["lease_owner"], row["lease_expire_time"] = self.retry_at, None, None
        if self.error is not None:
            row["error_code"], row["error_description"] = self.error.code, self.error.description
            row["error_permanent"], row["error_provider_code"] = self.error.permanent, self.error.provider_code
        if self.status is None or not st.can_transition(row["status"], self.status):
            return []
        if self.status in st.PROVIDER_FAILURES and row["status"] not in st.PROVIDER_FAILURES:
            body = Message.FromString(row["body"])
            if body.fallbacks:
                return leave_attempt(row, ended, body, self.status, _error(row), self.provider_code, self.now_us)
        row["status"] = self.status
        if self.status in _TIME_COLUMN:
            row[_TIME_COLUMN[self.status]] = self.now_us
        if st.is_terminal(self.status) or self.status == st.SENT:
            row["next_attempt_time"] = row["lease_owner"] = row["lease_expire_time"] = None
        if self.status in (st.DELIVERED, st.READ) and row["error_code"]:
            # The handset's word wins over an earlier failure report.
            row["error_code"] = row["error_description"] = row["error_provider_code"] = None
            row["error_permanent"] = None
        return [status_event(row, self.provider_code, self.now_us)]


def _follow_ended_attempt(row: dict[str, Any], ended: list[ChannelAttempt], pid: str, status: int | None, now_us: int) -> None:
    """A late report about an ended attempt updates that attempt's record only."""
    for attempt in ended:
        if pid in attempt.provider_message_ids and status is not None and st.can_transition(attempt.status, status):
            attempt.status = status
            if status in (st.DELIVERED, st.READ):
                attempt.ClearField("error")
            row["channel_attempts"] = Message(channel_attempts=ended).SerializeToString()
            row["update_time"] = now_us


def leave_attempt(
    row: dict[str, Any], ended: list[ChannelAttempt], body: Message, status: int, reason: MessageError, provider_code: str, now_us: int
) -> list[dict[str, Any]]:
    """End the current channel attempt at `status` because of `reason`, then move the message to
    its next fallback: a SWITCHING_CHANNEL event, and the message QUEUED again on the fallback's
    identity (the deliberate exception to forward-only statuses). With no fallback left the
    message fails with NO_CHANNELS_LEFT. Changes `row` in place; returns the events."""
    closed = _current_attempt(row, ended)
    closed.status = status
    closed.error.CopyFrom(reason)
    closed.end_time.FromMicroseconds(now_us)
    events_out = []
    chosen = fallback.next_fallback(body, len(ended) + 1)
    if chosen is not None:
        switching = {**row, "status": st.SWITCHING_CHANNEL, "error_code": reason.code, "error_description": reason.description,
                     "error_permanent": reason.permanent, "error_provider_code": reason.provider_code}
        events_out.append(status_event(switching, provider_code, now_us))
    row["channel_attempts"] = Message(channel_attempts=[*ended, closed]).SerializeToString()
    row.update(update_time=now_us, fallback_deadline=None, lease_owner=None, lease_expire_time=None, next_attempt_time=None)
    if chosen is None:
        given_up = fallback.no_channels_left(reason, len(ended) + 1)
        row.update(status=st.FAILED, error_code=given_up.code, error_description=given_up.description,
                   error_permanent=given_up.permanent, error_provider_code=given_up.provider_code)
        return [status_event(row, provider_code, now_us)]
    has_next = fallback.next_fallback(body, len(ended) + 2) is not None
    sms_encoding, segment_count = validation.sms_segmentation(chosen.channel, fallback.sent_text(body, chosen))
    row.update(
        sms_encoding=sms_encoding, segment_count=segment_count,
        identity_id=chosen.identity.rsplit("/", 1)[-1], channel=chosen.channel, sender=chosen.sender, recipient=chosen.recipient,
        status=st.QUEUED, attempts=0, provider_message_ids=None, sent_time=None, delivered_time=None, read_time=None,
        error_code=None, error_description=None, error_permanent=None, error_provider_code=None, next_attempt_time=now_us,
        fallback_deadline=now_us + body.fallback_timeout.ToMicroseconds() if has_next else None,
    )
    events_out.append(status_event(row, "", now_us))
    return events_out


def _part_statuses(conn: Connection, rows: list[dict[str, Any]]) -> dict[str, dict[tuple[str, str, str], int]]:
    """Each multi-part message's current parts and their statuses (SENT until a part is
    reported). An earlier channel attempt's ids are not parts of the current one."""
    current = {r["id"]: set(provider_ids(r)) for r in rows}
    multi = {message_id for message_id, ids in current.items() if len(ids) > 1}
    if not multi:
        return {}
    found = conn.execute(select(provider_refs).where(provider_refs.c.message_id.in_(multi)))
    parts: dict[str, dict[tuple[str, str, str], int]] = {}
    for r in found:
        if r.provider_message_id in current[r.message_id]:
            parts.setdefault(r.message_id, {})[(r.account_id, r.identity_id, r.provider_message_id)] = r.status or st.SENT
    return parts


def apply_parked_reports(conn: Connection, refs: list[tuple[str, str, str]] | None, now_us: int) -> int:
    """Apply parked reports whose provider id is now known (those of `refs`, or all when None:
    a report parked by one replica while another stored the id). Returns how many applied."""
    if refs is not None:
        found = sorted(_by_provider_id(conn, _PARKED_BY_ID, refs), key=operator.itemgetter("id"))
    else:
        known = select(provider_refs.c.message_id).where(
            provider_refs.c.account_id == parked_reports.c.account_id,
            provider_refs.c.identity_id == parked_reports.c.identity_id,
            provider_refs.c.provider_message_id == parked_reports.c.provider_message_id,
        )
        found = [dict(r) for r in conn.execute(select(parked_reports).where(known.exists()).order_by(parked_reports.c.id).limit(1000)).mappings()]
    if not found:
        return 0
    conn.execute(delete(parked_reports).where(parked_reports.c.id.in_([r["id"] for r in found])))
    StatusUpdate.run_batch(conn, [
        StatusUpdate(
            max(now_us, r["receive_time"]), provider_ref=(r["account_id"], r["identity_id"], r["provider_message_id"]), status=r["status"],
            provider_code=r["provider_code"], error=MessageError.FromString(r["error"]) if r["error"] is not None else None,
        )
        for r in found
    ])
    return len(found)


@dataclass
class SweepParkedReports:
    """Apply parked reports whose id has been stored since, and drop those older than
    `max_age_us` (their message was never sent, or its id never matched)."""

    now_us: int
    max_age_us: int

    def __call__(self, conn: Connection) -> tuple[int, int]:
        applied = apply_parked_reports(conn, None, self.now_us)
        dropped = conn.execute(delete(parked_reports).where(parked_reports.c.receive_time < self.now_us - self.max_age_us))
        return applied, dropped.rowcount


_MUTABLE = (
    "status", "update_time", "sent_time", "delivered_time", "read_time", "error_code", "error_description",
    "error_permanent", "error_provider_code", "provider_message_ids", "next_attempt_time", "lease_owner",
    "lease_expire_time", "identity_id", "channel", "sender", "recipient", "attempts", "fallback_deadline", "channel_attempts",
    "sms_encoding", "segment_count",
)


def _write_back(conn: Connection, rows: Sequence[Row], stored: Mapping[str, Row]) -> None:
    """Write the columns each row changed since it was read (`stored`); rows that changed the
    same columns share one statement (a delivery report changes 3 of the 20)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        before = stored[row["id"]]
        changed = tuple(c for c in _MUTABLE if row[c] != before[c])
        if changed:
            by_columns.setdefault(changed, []).append({"b_id": row["id"], **{f"b_{c}": row[c] for c in changed}})
    for columns, params in by_columns.items():
        statements.run(conn, _update_columns(columns), params)


# Unbounded on purpose: the column sets a change touches are few, and the SQLite fast path
# compiles each statement object once (a statement built anew would be compiled anew).
@functools.cache
def _update_columns(columns: tuple[str, ...]) -> Any:
    return update(messages).where(messages.c.id == bindparam("b_id")).values({c: bindparam(f"b_{c}") for c in columns})


@dataclass
class SwitchTimedOut:
    """Give up the channel attempts whose fallback deadline passed without reaching their success
    status (FALLBACK_TIMEOUT) and move them to their next fallback. A message being handed to
    its provider right now (a live lease) waits for the outcome. Returns how many switched."""

    now_us: int
    limit: int

    @staticmethod
    def wakes(switched: int) -> frozenset[str]:
        # Switched messages are QUEUED again on their fallback; an idle pass wakes nobody.
        return frozenset({EVENTS, DISPATCH}) if switched else frozenset()

    def __call__(self, conn: Connection) -> int:
        due = (
            select(messages)
            .where(
                messages.c.fallback_deadline <= self.now_us,
                or_(messages.c.lease_expire_time.is_(None), messages.c.lease_expire_time < self.now_us),
            )
            .order_by(messages.c.fallback_deadline)
            .limit(self.limit)
            .with_for_update(skip_locked=True)
        )
        stored = {r["id"]: r for r in (conn.execute(due)).mappings()}
        rows = [dict(r) for r in stored.values()]
        new_events: list[dict[str, Any]] = []
        switched = 0
        for row in rows:
            row["fallback_deadline"] = None
            body = Message.FromString(row["body"])
            if fallback.times_out(row["status"], body.fallback_success_status):
                reason = fallback.timeout_error(body.fallback_success_status, body.fallback_timeout.ToMicroseconds())
                new_events.extend(leave_attempt(row, ended_attempts(row), body, row["status"], reason, "", self.now_us))
                switched += 1
        if rows:
            _write_back(conn, rows, stored)
        if new_events:
            conn.execute(_INSERT_EVENTS, new_events)
        return switched


@dataclass
class CancelMessage:
    account_id: str
    message_id: str
    now_us: int

    def __call__(self, conn: Connection) -> Message:
        found = conn.execute(
            select(messages.c.status).where(messages.c.account_id == self.account_id, messages.c.id == self.message_id)
        )
        current = found.scalar()
        if current is None:
            raise GatewayError(Reason.MESSAGE_NOT_FOUND, f"no message {message_name(self.account_id, self.message_id)}")
        if not st.is_cancelable(current):
            raise GatewayError(
                Reason.NOT_CANCELABLE,
                f"the message is {st.MessageStatus.Name(current)}; only QUEUED messages can be canceled",
                metadata={"status": st.MessageStatus.Name(current)},
            )
        StatusUpdate(self.now_us, message_id=self.message_id, status=st.CANCELED, dispatch="done")(conn)
        return get_message(conn, self.account_id, self.message_id)


@dataclass(frozen=True)
class Claimed:
    rows: list[dict[str, Any]]
    # The claim found as many due messages as it could take: more may be waiting.
    more_due: bool


@dataclass
class ClaimDue:
    """Lease up to `limit` due outbound messages for `owner` (SKIP LOCKED on PostgreSQL).

    Identities with a `rate_per_second` are paced (domain/ratelimit.py): a claimed message's
    next_attempt_time becomes its send slot, at most `rate_horizon_us` ahead; the others stay
    queued with their next attempt pushed to the slot they would get. Messages of identities an
    exclusive adapter serves are claimed only by the replica holding the identity's connection
    lease."""

    owner: str
    now_us: int
    lease_us: int
    limit: int
    rate_horizon_us: int = 1_000_000
    exclusive_adapters: frozenset[str] = frozenset()

    @staticmethod
    def wakes(claimed: Claimed) -> frozenset[str]:
        # Claimed messages moved to SENDING (events); an empty claim wakes nobody, or the
        # dispatcher would wake itself with its own claims.
        return frozenset({EVENTS}) if claimed.rows else frozenset()

    def __call__(self, conn: Connection) -> Claimed:
        if self.exclusive_adapters:
            found = statements.run(conn, _DUE_EXCLUSIVE, {"now": self.now_us, "limit": self.limit, "owner": self.owner, "adapters": list(self.exclusive_adapters)})
        else:
            found = statements.run(conn, _DUE, {"now": self.now_us, "limit": self.limit})
        rows = self._pace(conn, found) if found else found
        if rows:
            self._lease(conn, rows)
        return Claimed(rows, more_due=len(found) == self.limit)

    def _lease(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            # A paced message is leased from its slot on.
            lease_end = max(row["next_attempt_time"], self.now_us) + self.lease_us
            row.update(lease_owner=self.owner, lease_expire_time=lease_end, attempts=row["attempts"] + 1)
        statements.run(conn, _LEASE, [
            {"b_id": r["id"], "b_owner": self.owner, "b_lease": r["lease_expire_time"], "b_next": r["next_attempt_time"], "b_now": self.now_us}
            for r in rows
        ])
        queued = []
        for row in rows:
            if row["status"] == st.QUEUED:
                row["status"] = st.SENDING
                queued.append(status_event(row, "", self.now_us))
        statements.run(conn, _INSERT_EVENTS, queued)

    def _pace(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows the identities' rates let us claim now (their next_attempt_time set to
        their slot); the others' next attempt is pushed back."""
        by_identity: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in rows:
            by_identity.setdefault((row["account_id"], row["identity_id"]), []).append(row)
        intervals = _rate_intervals(conn, list(by_identity))
        if not intervals:
            return rows
        tats = _lock_rate_limits(conn, list(intervals))
        # Slots count from the clock now, not from when the claim was queued: a slot in the past
        # would be sent late, closer than the interval to the next one.
        now = max(self.now_us, clock.now_us())
        claimed: list[dict[str, Any]] = []
        deferred: list[dict[str, Any]] = []
        new_tats: list[dict[str, Any]] = []
        for key, group in by_identity.items():
            if key not in intervals:
                claimed.extend(group)
                continue
            plan = ratelimit.plan(tats[key], now, intervals[key], len(group), self.rate_horizon_us)
            for row, slot in zip(group, plan.send_at, strict=False):
                row["next_attempt_time"] = slot
                claimed.append(row)
            deferred.extend({"b_id": row["id"], "b_next": slot} for row, slot in zip(group[len(plan.send_at):], plan.defer_to, strict=True))
            new_tats.append({"b_account": key[0], "b_identity": key[1], "b_tat": plan.tat})
        conn.execute(
            update(rate_limits)
            .where(rate_limits.c.account_id == bindparam("b_account"), rate_limits.c.identity_id == bindparam("b_identity"))
            .values(tat=bindparam("b_tat")),
            new_tats,
        )
        if deferred:
            conn.execute(update(messages).where(messages.c.id == bindparam("b_id")).values(next_attempt_time=bindparam("b_next")), deferred)
        return claimed


def _rate_intervals(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Send intervals (µs) of those identities that have a rate limit."""
    intervals = {}
    for r in _by_keys(conn, _IDENTITY_SETTINGS, ("account_id",), keys):
        rate = ratelimit.parse_rate(json.loads(r["settings"]))
        if rate is not None:
            intervals[(r["account_id"], r["id"])] = ratelimit.interval_us(rate)
    return intervals


def _lock_rate_limits(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The identities' theoretical arrival times, their rows locked until commit (created on
    first use): claims on several replicas take turns, so slots are never handed out twice."""
    conn.execute(
        dialect_insert(conn)(rate_limits).on_conflict_do_nothing(),
        [{"account_id": a, "identity_id": i, "tat": 0} for a, i in keys],
    )
    found = conn.execute(
        select(rate_limits).where(matching_keys((rate_limits.c.account_id, rate_limits.c.identity_id), keys)).with_for_update()
    )
    return {(r.account_id, r.identity_id): r.tat for r in found}


def get_message(conn: Connection, account_id: str, message_id: str) -> Message:
    found = conn.execute(select(messages).where(messages.c.account_id == account_id, messages.c.id == message_id))
    row = found.mappings().first()
    if row is None:
        raise GatewayError(Reason.MESSAGE_NOT_FOUND, f"no message {message_name(account_id, message_id)}")
    return to_message(row)


_FILTER_COLUMNS = {
    "channel": messages.c.channel, "direction": messages.c.direction, "status": messages.c.status,
    "identity": messages.c.identity_id, "sender": messages.c.sender, "recipient": messages.c.recipient,
    "create_time": messages.c.create_time,
}


def list_messages(
    conn: Connection, account_id: str, conditions: list[Condition], after: tuple[int, str] | None, limit: int
) -> list[Message]:
    """Newest first, keyset-paged on (create_time, id)."""
    query = select(messages).where(messages.c.account_id == account_id)
    for c in conditions:
        column = _FILTER_COLUMNS[c.field]
        value = c.value.rsplit("/", 1)[-1] if c.field == "identity" else c.value
        query = query.where(column.operate(_OPS[c.op], value))
    if after is not None:
        query = query.where(
            or_(messages.c.create_time < after[0], and_(messages.c.create_time == after[0], messages.c.id < after[1]))
        )
    query = query.order_by(messages.c.create_time.desc(), messages.c.id.desc()).limit(limit)
    return [to_message(r) for r in (conn.execute(query)).mappings()]


_OPS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
