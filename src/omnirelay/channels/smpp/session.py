"""One identity's transceiver bind to its SMSC, kept up for the adapter's lifetime.

A keeper task connects, binds, reads PDUs and sends enquire_link; when the connection drops it
reconnects with backoff. `submit` sends a submit_sm within the window of outstanding requests
and waits for its response. Every deliver_sm goes to the adapter's handler, and its
deliver_sm_resp is written only once the handler returned (the report is stored), so the SMSC
redelivers what was not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections.abc import Awaitable, Callable

import structlog

from omnirelay.channels.base import ErrorClass, SendError
from omnirelay.channels.smpp.pdu import INTERFACE_VERSION, Command, Pdu, PduError, Status, command_name, encode, read_pdu, status_code, status_name
from omnirelay.channels.smpp.submit import SmppSettings

log = structlog.get_logger(__name__)

DeliverHandler = Callable[[Pdu], Awaitable[int]]

THROTTLING = frozenset({Status.ESME_RTHROTTLED, Status.ESME_RMSGQFUL})
AUTH_FAILURES = frozenset({Status.ESME_RBINDFAIL, Status.ESME_RINVPASWD, Status.ESME_RINVSYSID, Status.ESME_RINVSYSTYP})
BAD_RECIPIENT = frozenset({Status.ESME_RINVDSTADR})
# Worth another try: the SMSC's own trouble, or our bind state that a reconnect fixes.
TRANSIENT = frozenset({
    Status.ESME_RINVBNDSTS, Status.ESME_RSYSERR, Status.ESME_RSUBMITFAIL, Status.ESME_RX_T_APPN,
    Status.ESME_RDELIVERYFAILURE, Status.ESME_RUNKNOWNERR,
})
RECONNECT_BASE_SECONDS = 0.2
RECONNECT_MAX_SECONDS = 30.0
_SEQUENCE_MAX = 0x7FFFFFFF


def submit_error(status: int, throttle_pause: float) -> SendError:
    """A submit_sm_resp's error status as the dispatcher's error class."""
    description = f"SMSC answered submit_sm with {status_name(status)} ({status_code(status)})"
    if status in THROTTLING:
        return SendError(ErrorClass.THROTTLED, description, status_code(status), retry_after=throttle_pause)
    if status in AUTH_FAILURES:
        return SendError(ErrorClass.AUTH, description, status_code(status))
    if status in BAD_RECIPIENT:
        return SendError(ErrorClass.BAD_RECIPIENT, description, status_code(status))
    if status in TRANSIENT:
        return SendError(ErrorClass.TRANSIENT, description, status_code(status))
    return SendError(ErrorClass.PERMANENT, description, status_code(status))


class Throttle:
    """The bind's pace after the SMSC said ESME_RTHROTTLED / ESME_RMSGQFUL: submits are spaced by
    an interval that doubles with every refusal and halves with every accepted submit, down to
    none. A refusal also holds every submit for one interval."""

    def __init__(self, base: float = 0.05, ceiling: float = 5.0, clock: Callable[[], float] | None = None) -> None:
        self.base, self.ceiling = base, ceiling
        self.interval = 0.0
        self._next = 0.0
        self._clock = clock or asyncio.get_running_loop().time

    def delay(self) -> float:
        """How long the next submit waits (and claims its slot)."""
        if self.interval == 0.0:
            return 0.0
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        return slot - now

    def refused(self) -> float:
        self.interval = min(max(self.interval * 2, self.base), self.ceiling)
        self._next = self._clock() + self.interval
        return self.interval

    def accepted(self) -> None:
        self.interval = self.interval / 2 if self.interval > self.base else 0.0


class SmppSession:
    def __init__(self, settings: SmppSettings, on_deliver: DeliverHandler, name: str) -> None:
        self._settings = settings
        self._on_deliver = on_deliver
        self._log = log.bind(identity=name, smsc=f"{settings.host}:{settings.port}")
        self._window = asyncio.Semaphore(settings.window)
        self._pending: dict[int, asyncio.Future[Pdu]] = {}
        self._sequence = itertools.count(1)
        self._writer: asyncio.StreamWriter | None = None
        self._changed = asyncio.Condition()
        self._last_error: SendError | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._closing = False
        self._rng = random.Random()
        self.throttle = Throttle()
        self.binds = 0

    @property
    def bound(self) -> bool:
        return self._writer is not None

    def start(self) -> None:
        if self._keeper is None and not self._closing:
            self._keeper = asyncio.create_task(self._keep(), name=f"smpp-{self._settings.system_id}")

    async def submit(self, pdu: Pdu) -> str:
        """Send a submit_sm; its message_id, or a SendError classed for the dispatcher."""
        self.start()
        if delay := self.throttle.delay():
            await asyncio.sleep(delay)
        async with self._window:
            writer = await self._bound_writer()
            response = await self._request(writer, pdu, "submit_sm")
        if response.command_id == Command.GENERIC_NACK or response.status != Status.ESME_ROK:
            if response.status in THROTTLING:
                pause = self.throttle.refused()
                self._log.info("smpp_throttled", status=status_code(response.status), interval=pause)
            raise submit_error(response.status, self.throttle.interval)
        self.throttle.accepted()
        message_id = response.get("message_id")
        if not message_id:
            raise SendError(ErrorClass.PERMANENT, "SMSC accepted submit_sm without a message_id", status_code(response.status))
        return message_id

    async def _request(self, writer: asyncio.StreamWriter, pdu: Pdu, what: str) -> Pdu:
        pdu.sequence = self._next_sequence()
        future: asyncio.Future[Pdu] = asyncio.get_running_loop().create_future()
        self._pending[pdu.sequence] = future
        try:
            writer.write(encode(pdu))
            return await asyncio.wait_for(future, self._settings.response_timeout_seconds)
        except TimeoutError:
            raise SendError(ErrorClass.TRANSIENT, f"no {what}_resp within {self._settings.response_timeout_seconds} s", "timeout") from None
        except ConnectionError as exc:
            raise SendError(ErrorClass.TRANSIENT, f"connection to the SMSC lost before {what}_resp: {exc}", "connection_lost") from None
        finally:
            self._pending.pop(pdu.sequence, None)

    def _next_sequence(self) -> int:
        sequence = next(self._sequence)
        if sequence > _SEQUENCE_MAX:
            self._sequence = itertools.count(2)
            sequence = 1
        return sequence

    async def _bound_writer(self) -> asyncio.StreamWriter:
        """The bound connection; waits up to the response timeout for a bind in progress, and
        fails at once while the last attempt failed (the keeper is backing off)."""
        def ready() -> bool:
            return self._writer is not None or self._last_error is not None or self._closing

        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(ready), self._settings.response_timeout_seconds)
        if self._writer is not None:
            return self._writer
        raise self._last_error or SendError(ErrorClass.TRANSIENT, "not bound to the SMSC", "not_bound")

    async def _set_state(self, writer: asyncio.StreamWriter | None, error: SendError | None) -> None:
        async with self._changed:
            self._writer = writer
            if writer is not None or error is not None:
                self._last_error = error
            self._changed.notify_all()

    async def _keep(self) -> None:
        failures = 0
        while not self._closing:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self._settings.host, self._settings.port), self._settings.response_timeout_seconds
                )
            except (OSError, TimeoutError) as exc:
                await self._set_state(None, SendError(ErrorClass.TRANSIENT, f"cannot connect to the SMSC: {exc or 'timeout'}", "connect_failed"))
            else:
                try:
                    if await self._bind(reader, writer):
                        failures = 0
                        await self._serve(reader, writer)
                finally:
                    await self._disconnected(writer)
            if self._closing:
                break
            failures += 1
            delay = self._rng.uniform(0.5, 1.0) * min(RECONNECT_MAX_SECONDS, RECONNECT_BASE_SECONDS * 2 ** (failures - 1))
            self._log.info("smpp_reconnect", in_seconds=round(delay, 3), error=self._last_error.description if self._last_error else "")
            await asyncio.sleep(delay)

    async def _bind(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        s = self._settings
        bind = Pdu(Command.BIND_TRANSCEIVER, self._next_sequence(), fields={
            "system_id": s.system_id, "password": s.password, "system_type": s.system_type,
            "interface_version": INTERFACE_VERSION, "addr_ton": s.source_ton, "addr_npi": s.source_npi, "address_range": "",
        })
        writer.write(encode(bind))
        try:
            response = await asyncio.wait_for(read_pdu(reader), s.response_timeout_seconds)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, PduError) as exc:
            await self._set_state(None, SendError(ErrorClass.TRANSIENT, f"no bind_transceiver_resp: {exc or 'timeout'}", "bind_failed"))
            return False
        if response.command_id != Command.BIND_TRANSCEIVER_RESP or response.status != Status.ESME_ROK:
            status = response.status or Status.ESME_RBINDFAIL
            error_class = ErrorClass.AUTH if status in AUTH_FAILURES else ErrorClass.TRANSIENT
            description = f"SMSC refused bind_transceiver for {s.system_id!r}: {status_name(status)} ({status_code(status)})"
            self._log.warning("smpp_bind_refused", status=status_code(status))
            await self._set_state(None, SendError(error_class, description, status_code(status)))
            return False
        self.binds += 1
        self._log.info("smpp_bound", smsc_system_id=response.get("system_id"))
        await self._set_state(writer, None)
        return True

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read until the connection ends, the SMSC unbinds, or enquire_link goes unanswered."""
        keepalive = asyncio.create_task(self._enquire_links(writer))
        try:
            while True:
                try:
                    pdu = await read_pdu(reader)
                except PduError as exc:
                    self._log.warning("smpp_bad_pdu", error=str(exc))
                    return  # framing is lost: reconnect
                except (OSError, asyncio.IncompleteReadError):
                    return
                if not self._dispatch(pdu, writer):
                    return
        finally:
            keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keepalive

    def _dispatch(self, pdu: Pdu, writer: asyncio.StreamWriter) -> bool:
        """Handle one PDU from the SMSC; False when the session is over."""
        if pdu.is_response:
            future = self._pending.get(pdu.sequence)
            if future is not None and not future.done():
                future.set_result(pdu)
            return True
        if pdu.command_id == Command.ENQUIRE_LINK:
            writer.write(encode(pdu.response()))
        elif pdu.command_id == Command.DELIVER_SM:
            task = asyncio.create_task(self._deliver(pdu, writer))
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        elif pdu.command_id == Command.UNBIND:
            self._log.info("smpp_unbound_by_smsc")
            writer.write(encode(pdu.response()))
            return False
        else:
            writer.write(encode(Pdu(Command.GENERIC_NACK, pdu.sequence, Status.ESME_RINVCMDID)))
        return True

    async def _deliver(self, pdu: Pdu, writer: asyncio.StreamWriter) -> None:
        try:
            status = await self._on_deliver(pdu)
        except Exception:  # noqa: BLE001 - answer with a temporary error: the SMSC sends it again
            self._log.exception("smpp_deliver_sm_not_stored", command=command_name(pdu.command_id))
            status = Status.ESME_RX_T_APPN
        if not writer.is_closing():
            writer.write(encode(pdu.response(status)))

    async def _enquire_links(self, writer: asyncio.StreamWriter) -> None:
        """Keepalive; returns (ending the session) when the SMSC does not answer one."""
        while True:
            await asyncio.sleep(self._settings.enquire_link_seconds)
            try:
                await self._request(writer, Pdu(Command.ENQUIRE_LINK), "enquire_link")
            except SendError as exc:
                self._log.warning("smpp_link_dead", error=exc.description)
                writer.close()  # wakes the reader, which ends the session
                return

    async def _disconnected(self, writer: asyncio.StreamWriter) -> None:
        await self._set_state(None, None)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        lost = ConnectionError("the connection to the SMSC closed")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(lost)

    async def close(self) -> None:
        """Unbind cleanly (waiting briefly for unbind_resp), then stop reconnecting."""
        self._closing = True
        writer = self._writer
        if writer is not None:
            try:
                await self._request(writer, Pdu(Command.UNBIND), "unbind")
            except SendError as exc:
                self._log.info("smpp_unbind_unanswered", error=exc.description)
        async with self._changed:
            self._changed.notify_all()
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
