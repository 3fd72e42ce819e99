"""A small SMSC on 127.0.0.1 that speaks real SMPP 3.4, scripted per injected fault (after
jookies/jasmin's smsc_simulator.py: one script per fault). The tests and `make bench` drive it;
`python -m omnirelay.channels.smpp.simulator` runs one to try the smpp adapter by hand.

It answers bind_transceiver, enquire_link and unbind, accepts submit_sm with numeric message ids
and sends a delivery receipt for each, and can push mobile-originated deliver_sm.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from omnirelay.channels.smpp.mo import mo_part
from omnirelay.channels.smpp.pdu import Command, Pdu, PduError, Status, Tag, encode, read_pdu
from omnirelay.channels.smpp.receipts import MESSAGE_STATES

_STATE_OF_STAT = {stat: state for state, stat in MESSAGE_STATES.items()}


@dataclass
class SmscScript:
    """How the SMSC behaves. The defaults: accept everything, receipt DELIVRD at once."""

    password: str = ""  # when set, a bind with another password gets ESME_RINVPASWD
    submit_status: int = Status.ESME_ROK  # answer every submit_sm with this command_status
    throttle_first: int = 0  # answer the first N submit_sm with ESME_RTHROTTLED
    answer_submits: bool = True  # False: never answer a submit_sm
    unbind_on_first_submit: bool = False  # answer the first submit_sm with unbind, then hang up
    receipts: bool = True
    response_delay: float = 0.0  # hold each submit_sm_resp this long
    receipt_delay: float = 0.1  # after submit_sm_resp; the dispatcher stores the id meanwhile
    receipt_before_response: bool = False  # the receipt is acknowledged before submit_sm_resp goes out
    receipt_id_hex: bool = False  # submit_sm_resp ids in decimal, receipt ids in hex
    receipt_tlvs: bool = False  # receipts also carry receipted_message_id and message_state
    part_stats: dict[int, str] = field(default_factory=dict)  # receipt stat by part number; else DELIVRD
    first_message_id: int = 7_000_000_001


@dataclass
class _Peer:
    writer: asyncio.StreamWriter
    system_id: str = ""
    pending: dict[int, asyncio.Future[Pdu]] = field(default_factory=dict)


class SmscSimulator:
    def __init__(self, script: SmscScript | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.script = script or SmscScript()
        self._host, self.port = host, port
        self._server: asyncio.Server | None = None
        self._peers: list[_Peer] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(self.script.first_message_id)
        self._sequence = itertools.count(1)
        self.binds: list[Pdu] = []
        self.submits: list[Pdu] = []
        self.submit_times: list[float] = []
        self.unbinds = 0
        self.outstanding = 0  # submit_sm not answered yet
        self.max_outstanding = 0
        self.enquire_links = 0
        self.receipts_acked = 0

    async def start(self) -> SmscSimulator:
        self._server = await asyncio.start_server(self._serve, self._host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for peer in self._peers:
            peer.writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    @property
    def bound(self) -> int:
        return len(self._peers)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def deliver(self, timeout: float = 5.0, tlvs: dict[int, bytes] | None = None, **fields: object) -> int:
        """Send a deliver_sm to the latest bound ESME; the deliver_sm_resp's command_status."""
        if not await self.wait_until(lambda: bool(self._peers), timeout):
            raise TimeoutError("no ESME is bound")
        response = await self._request(self._peers[-1], Pdu(Command.DELIVER_SM, fields=dict(fields), tlvs=tlvs or {}), timeout)
        return response.status

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _request(self, peer: _Peer, pdu: Pdu, timeout: float) -> Pdu:
        pdu.sequence = next(self._sequence)
        future: asyncio.Future[Pdu] = asyncio.get_running_loop().create_future()
        peer.pending[pdu.sequence] = future
        peer.writer.write(encode(pdu))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            peer.pending.pop(pdu.sequence, None)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = _Peer(writer)
        try:
            while True:
                try:
                    pdu = await read_pdu(reader)
                except (PduError, OSError, asyncio.IncompleteReadError):
                    return
                if pdu.is_response:
                    future = peer.pending.get(pdu.sequence)
                    if future is not None and not future.done():
                        future.set_result(pdu)
                elif pdu.command_id == Command.BIND_TRANSCEIVER:
                    self.binds.append(pdu)
                    if self.script.password and pdu.get("password") != self.script.password:
                        writer.write(encode(pdu.response(Status.ESME_RINVPASWD)))
                        continue
                    peer.system_id = pdu.get("system_id")
                    self._peers.append(peer)
                    writer.write(encode(pdu.response(system_id="omnirelay-sim")))
                elif peer not in self._peers:
                    writer.write(encode(pdu.response(Status.ESME_RINVBNDSTS)))
                elif pdu.command_id == Command.ENQUIRE_LINK:
                    self.enquire_links += 1
                    writer.write(encode(pdu.response()))
                elif pdu.command_id == Command.UNBIND:
                    self.unbinds += 1
                    writer.write(encode(pdu.response()))
                    return
                elif pdu.command_id == Command.SUBMIT_SM:
                    self._submit(peer, pdu)
                else:
                    writer.write(encode(Pdu(Command.GENERIC_NACK, pdu.sequence, Status.ESME_RINVCMDID)))
        finally:
            if peer in self._peers:
                self._peers.remove(peer)
            for future in peer.pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("ESME disconnected"))
            writer.close()

    def _submit(self, peer: _Peer, pdu: Pdu) -> None:
        """Answer one submit_sm as scripted."""
        script = self.script
        self.submits.append(pdu)
        self.submit_times.append(time.monotonic())
        if script.unbind_on_first_submit and len(self.submits) == 1:
            self._spawn(self._unbind(peer))
            return
        if not script.answer_submits:
            return
        status = Status.ESME_RTHROTTLED if len(self.submits) <= script.throttle_first else script.submit_status
        if status != Status.ESME_ROK:
            peer.writer.write(encode(pdu.response(status)))
            return
        self._spawn(self._accept(peer, pdu))

    async def _accept(self, peer: _Peer, pdu: Pdu) -> None:
        script = self.script
        self.outstanding += 1
        self.max_outstanding = max(self.max_outstanding, self.outstanding)
        message_id = next(self._ids)
        if script.receipt_before_response:
            await self._receipt(peer, pdu, message_id, 0.0)
        if script.response_delay:
            await asyncio.sleep(script.response_delay)
        self.outstanding -= 1
        peer.writer.write(encode(pdu.response(message_id=str(message_id))))
        if script.receipts and not script.receipt_before_response:
            await self._receipt(peer, pdu, message_id, script.receipt_delay)

    async def _unbind(self, peer: _Peer) -> None:
        """Unbind (the serve loop reads the unbind_resp meanwhile), then hang up."""
        with contextlib.suppress(TimeoutError, ConnectionError):
            await self._request(peer, Pdu(Command.UNBIND), 2.0)
        peer.writer.close()

    async def _receipt(self, peer: _Peer, submit: Pdu, message_id: int, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        stat = self.script.part_stats.get(mo_part(submit).seq, "DELIVRD")
        receipt_id = format(message_id, "X") if self.script.receipt_id_hex else str(message_id)
        now = time.strftime("%y%m%d%H%M")
        dlvrd = "001" if stat == "DELIVRD" else "000"
        err = "000" if stat == "DELIVRD" else "001"
        text = f"id:{receipt_id} sub:001 dlvrd:{dlvrd} submit date:{now} done date:{now} stat:{stat} err:{err} text:"
        tlvs = {}
        if self.script.receipt_tlvs:
            tlvs = {Tag.RECEIPTED_MESSAGE_ID: receipt_id.encode() + b"\0", Tag.MESSAGE_STATE: bytes((_STATE_OF_STAT[stat],))}
        receipt = Pdu(Command.DELIVER_SM, fields={
            "source_addr_ton": submit.get("dest_addr_ton"), "source_addr_npi": submit.get("dest_addr_npi"),
            "source_addr": submit.get("destination_addr"),
            "dest_addr_ton": submit.get("source_addr_ton"), "dest_addr_npi": submit.get("source_addr_npi"),
            "destination_addr": submit.get("source_addr"), "esm_class": 0x04, "short_message": text.encode(),
        }, tlvs=tlvs)
        with contextlib.suppress(TimeoutError, ConnectionError):
            response = await self._request(peer, receipt, 10.0)
            if response.status == Status.ESME_ROK:
                self.receipts_acked += 1


async def _run(host: str, port: int, receipt_delay: float) -> None:
    simulator = await SmscSimulator(SmscScript(receipt_delay=receipt_delay), host, port).start()
    # The first line says where it listens (bench.servers reads it); any system_id and password bind.
    print(f"SMSC simulator listening on {host}:{simulator.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m omnirelay.channels.smpp.simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2775, help="listen port (default 2775, 0 picks a free one)")
    parser.add_argument("--receipt-delay", type=float, default=0.2, help="seconds from submit_sm to its DELIVRD receipt (default 0.2)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args.host, args.port, args.receipt_delay))


if __name__ == "__main__":
    main()
