"""The dispatcher: lease due messages in batches, send each through its identity's adapter,
record the outcome with group commit. A lease that runs out (the process died mid-send) makes
the message due again, so nothing accepted is lost: delivery to the provider is at-least-once.
Each pass also gives up channel attempts whose fallback deadline passed (SwitchTimedOut); a
failed attempt moves to its fallback where the failure is stored (StatusUpdate)."""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import dataclass
from typing import Any

import structlog

from omnirelay.channels.base import ErrorClass, OutboundMessage, SendError
from omnirelay.channels.registry import AdapterRegistry
from omnirelay.domain import fallback, ratelimit, sessions
from omnirelay.domain import status as st
from omnirelay.domain.clock import Clock, now_us
from omnirelay.domain.errors import FailureCode, GatewayError
from omnirelay.domain.retry import backoff_seconds
from omnirelay.store.database import Database
from omnirelay.store.directory import IdentityDirectory, IdentityRecord, RecordAuthError
from omnirelay.store.messages import ClaimDue, StatusUpdate, SwitchTimedOut, ended_attempts, to_message
from omnirelay.store.sessions import last_inbound_times
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.v1.common_pb2 import MessageError
from omnirelay.v1.messaging_pb2 import Message
from omnirelay.waiting import wake_or_timeout

log = structlog.get_logger(__name__)

_FAILURE_CODE = {
    "permanent": FailureCode.PROVIDER_REJECTED,
    "bad_recipient": FailureCode.RECIPIENT_INVALID,
    "auth": FailureCode.PROVIDER_AUTH_FAILED,
}


@dataclass(frozen=True)
class DispatchSettings:
    batch_size: int = 100
    max_in_flight: int = 256
    lease_seconds: float = 30.0
    max_attempts: int = 5
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 300.0
    poll_seconds: float = 0.5
    session_window_hours: float = 24.0
    claim_interval_seconds: float = 0.01


class Dispatcher:
    def __init__(
        self, db: Database, writer: GroupCommitWriter, identities: IdentityDirectory, adapters: AdapterRegistry,
        settings: DispatchSettings, clock: Clock = now_us,
    ) -> None:
        self._db = db
        self._clock = clock
        self._directory = identities
        self._writer = writer
        self._adapters = adapters
        self._settings = settings
        self.owner = f"{os.uname().nodename}:{os.getpid()}:{os.urandom(3).hex()}"
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.max_in_flight)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._rng = random.Random()
        self._timeouts_checked_at = -(2**63)
        self._spacing = ratelimit.HandOverSpacing()

    def notify(self) -> None:
        """New work may be due (a send was committed)."""
        self._wake.set()

    def _finished(self, task: asyncio.Task[None]) -> None:
        # A full dispatcher claims nothing and waits: a freed slot is worth a claim.
        if len(self._in_flight) >= self._settings.max_in_flight:
            self._wake.set()
        self._in_flight.discard(task)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="dispatcher")

    async def stop(self, grace: float) -> None:
        """Stop claiming; let in-flight sends finish within `grace` (their leases cover the rest).

        The claim loop is asked to stop, not cancelled: cancelling a task in the middle of a
        database call can leave a pooled connection half-used."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=grace)
        for task in self._in_flight:
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            started = loop.time()
            try:
                more_due = await self._claim()
            except Exception:  # noqa: BLE001 - the store may be down; keep trying
                log.exception("dispatch_claim_failed")
                more_due = False
            if not more_due:
                # Jittered: replicas started together would otherwise poll in lockstep, and the
                # same one would win every message that falls due between polls.
                await wake_or_timeout(self._wake, self._settings.poll_seconds * self._rng.uniform(0.75, 1.25))
            # Under load every commit wakes the dispatcher: claims spaced claim_interval apart
            # each take the messages of several commits, and their outcomes share batches too.
            rest = started + self._settings.claim_interval_seconds - loop.time()
            if rest > 0 and not self._stopping:
                await asyncio.sleep(rest)

    async def _claim(self) -> bool:
        """Give up timed-out channel attempts, then claim and start sending what is due; True
        when more may be due already."""
        now = self._clock()
        free = self._settings.max_in_flight - len(self._in_flight)
        operations: list[Any] = []
        # Fallback timeouts are seconds to days long: looked for once a poll, not at every
        # claim (a busy gateway claims at every send's commit). Submitted together, the
        # timeout switch and the claim usually share one transaction.
        if now - self._timeouts_checked_at >= self._settings.poll_seconds * 1e6:
            self._timeouts_checked_at = now
            operations.append(SwitchTimedOut(now, self._settings.batch_size))
        if free > 0:
            operations.append(ClaimDue(
                self.owner, now, int(self._settings.lease_seconds * 1e6), min(free, self._settings.batch_size),
                # Paced messages are reserved this far ahead, so the next claims keep up with the rate.
                rate_horizon_us=int(max(1.0, 2 * self._settings.poll_seconds) * 1e6),
                exclusive_adapters=self._adapters.exclusive_names,
            ))
        results = await asyncio.gather(*(self._writer.submit(op) for op in operations), return_exceptions=True)
        for op, result in zip(operations, results, strict=True):
            if isinstance(op, SwitchTimedOut) and isinstance(result, Exception):
                log.error("fallback_timeouts_failed", error=str(result))
        if free <= 0:
            return False
        claimed = results[-1]
        if isinstance(claimed, Exception):
            raise claimed
        if not claimed.rows:
            return claimed.more_due
        identity_rows = await self._identities({(r["account_id"], r["identity_id"]) for r in claimed.rows})
        for row in claimed.rows:
            task = asyncio.create_task(self._deliver(row, identity_rows.get((row["account_id"], row["identity_id"]))))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return claimed.more_due

    async def _identities(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], IdentityRecord | None]:
        """The claimed messages' identities (cached); None for one deleted meanwhile."""
        found: dict[tuple[str, str], IdentityRecord | None] = {}
        for account_id, identity_id in keys:
            try:
                found[(account_id, identity_id)] = await self._directory.get(account_id, identity_id)
            except GatewayError:
                found[(account_id, identity_id)] = None
        return found

    async def _deliver(self, row: dict[str, Any], identity: IdentityRecord | None) -> None:
        await self._await_turn(row, identity)
        try:
            update = await self._attempt(row, identity)
        except Exception as exc:  # noqa: BLE001 - an adapter bug must not lose the message
            log.exception("adapter_crashed", message_id=row["id"])
            update = self._after_error(row, SendError(ErrorClass.TRANSIENT, f"adapter error: {exc}"))
        try:
            await self._writer.submit(update)
        except Exception:  # noqa: BLE001 - the lease brings the message back
            log.exception("dispatch_outcome_not_stored", message_id=row["id"])
            return
        if identity is not None:
            await self._note_credentials(identity, update)

    async def _await_turn(self, row: dict[str, Any], identity: IdentityRecord | None) -> None:
        """A paced message goes at its slot in the identity's rate (store/messages.py ClaimDue),
        and never sooner than the rate allows after this process's previous send of the identity:
        sends that a stall made late go one after another, not together."""
        rate = ratelimit.parse_rate(identity.settings) if identity is not None else None
        key = (row["account_id"], row["identity_id"])
        while True:
            slot = row["next_attempt_time"] if rate is None else self._spacing.earliest(key, rate, row["next_attempt_time"])
            wait = slot - self._clock()
            if wait <= 0:
                break
            await asyncio.sleep(wait / 1e6)
        if rate is not None:
            self._spacing.handed_over(key, self._clock())

    async def _note_credentials(self, identity: IdentityRecord, update: StatusUpdate) -> None:
        """A provider's refusal of the credentials shows on the identity until a send works."""
        refused = update.error is not None and update.error.code == FailureCode.PROVIDER_AUTH_FAILED.name
        if not refused and not (identity.auth_failed and update.status == st.SENT):
            return
        try:
            await self._writer.submit(RecordAuthError(identity.account_id, identity.id, update.error if refused else None, self._clock()))
        except Exception:  # noqa: BLE001 - the message's own outcome is stored; this is a hint
            log.exception("identity_auth_error_not_stored", identity=identity.id)
            return
        self._directory.forget(identity.account_id, identity.id)

    async def _attempt(self, row: dict[str, Any], identity: IdentityRecord | None) -> StatusUpdate:
        now = self._clock()
        if identity is None:
            return self._fail(row, st.FAILED, FailureCode.IDENTITY_GONE, "the identity was deleted", permanent=True)
        if row["expire_time"] and row["expire_time"] <= now:
            return self._fail(row, st.EXPIRED, FailureCode.EXPIRED, "not handed to the provider before expire_time", permanent=True)
        message = fallback.attempt_message(to_message(row))
        if not await self._window_open(row, message, now):
            return self._fail(row, st.FAILED, FailureCode.OUTSIDE_SESSION_WINDOW, "the customer service window is closed", permanent=True)
        adapter = await self._adapters.adapter_for(identity)
        try:
            result = await adapter.send(OutboundMessage(row["id"], message, row["attempts"]))
        except SendError as error:
            return self._after_error(row, error)
        log.debug("sent", message_id=row["id"], provider_ids=result.provider_message_ids)
        return self._update(row, status=st.SENT, provider_message_ids=result.provider_message_ids, dispatch="done")

    async def _window_open(self, row: dict[str, Any], message: Message, now: int) -> bool:
        """Checked again at hand-over: a fallback's window (or a retried message's) may have closed."""
        if not sessions.requires_window(row["channel"], message.content, message.channel_content, message.options):
            return True
        key = (row["account_id"], row["identity_id"], row["recipient"])
        found = await self._db.read(lambda conn: last_inbound_times(conn, [key]))
        window_us = int(self._settings.session_window_hours * 3600e6)
        return sessions.window_state(row["channel"], found.get(key), now, window_us).open

    def _update(self, row: dict[str, Any], **change: Any) -> StatusUpdate:
        """An outcome for the claimed attempt; ignored if the message moved to a fallback meanwhile."""
        return StatusUpdate(self._clock(), message_id=row["id"], channel_attempt=len(ended_attempts(row)), **change)

    def _after_error(self, row: dict[str, Any], error: SendError) -> StatusUpdate:
        if not error.error_class.retryable:
            code = error.failure_code or _FAILURE_CODE[error.error_class.value]
            return self._fail(row, st.FAILED, code, error.description, permanent=True, provider_code=error.provider_code)
        if row["attempts"] >= self._settings.max_attempts:
            return self._fail(row, st.FAILED, FailureCode.RETRIES_EXHAUSTED, f"after {row['attempts']} attempts: {error.description}", permanent=False, provider_code=error.provider_code)
        delay = error.retry_after if error.retry_after is not None else backoff_seconds(
            row["attempts"], self._settings.retry_base_seconds, self._settings.retry_max_seconds, self._rng
        )
        retry_at = self._clock() + int(delay * 1e6)
        if row["expire_time"]:
            retry_at = min(retry_at, row["expire_time"])
        log.info("send_retry", message_id=row["id"], attempt=row["attempts"], delay=round(delay, 3), error=error.description)
        code = FailureCode.PROVIDER_THROTTLED if error.error_class is ErrorClass.THROTTLED else FailureCode.PROVIDER_UNAVAILABLE
        last = MessageError(code=code.name, description=error.description, permanent=False, provider_code=error.provider_code)
        return self._update(row, error=last, dispatch="retry", retry_at=retry_at)

    def _fail(self, row: dict[str, Any], status: int, code: FailureCode, description: str, permanent: bool, provider_code: str = "") -> StatusUpdate:
        error = MessageError(code=code.name, description=description, permanent=permanent, provider_code=provider_code)
        return self._update(row, status=status, error=error, provider_code=provider_code, dispatch="done")
