"""SQLite's group transactions in a child process of their own.

A group commit's statements are mostly Python work (parameters built, rows read back, the
operations' own logic), and in the serving process they held its one GIL in more than a quarter
of the samples at full load: the serving loop waited for them. A child process runs them on the other
core. Each batch of operations travels pickled over a socketpair, and its results and woken channels
come back the same way; an error comes back as the exception, which GroupCommitWriter handles as
it handles one raised here (a failed batch is re-run one operation at a time).

The child owns the write connection and nothing else: the serving process keeps its reader
connections (WAL lets them read while the child writes), and the commit is durable before the
child answers, so "accepted" still means stored. A child that dies (killed, out of memory) fails
the batch in flight with STORE_UNAVAILABLE and is started again for the next one; a batch whose
child died after its COMMIT and before its answer was stored, which a retry with the same
request_id finds. When the serving process dies, the child sees its pipe close and exits.

PostgreSQL's writes stay on the serving loop: there a transaction waits on the network, which
costs the GIL little, and the same split measured slower.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import pickle
import signal
from functools import partial
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from typing import Any

import structlog

from omnirelay import logs
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.store import database
from omnirelay.store.database import SqliteDatabase, as_store_error
from omnirelay.store.writer import Operation, group_transaction

log = structlog.get_logger(__name__)

STOP_SECONDS = 10.0
# Children are forked from a small server process that has imported this module once: each
# starts in milliseconds, and none is forked from the serving process with its gRPC threads.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])

Batch = list[Operation[Any]]
Outcome = tuple[bool, Any]


class WriterProcess:
    """Runs batches in the child, one at a time (GroupCommitWriter sends one at a time anyway).

    The batch is written and its answer read on the event loop, which the pipe's readiness
    wakes: an answer read on a thread of ours waited there for the GIL, which the loop holds
    most of the time under load."""

    def __init__(self, url: str, log_level: str, log_format: str) -> None:
        self._args = (url, log_level, log_format)
        self._process: BaseProcess | None = None
        self._pipe: Pipe | None = None
        self._turn = asyncio.Lock()

    async def start(self) -> None:
        # Off the loop: the first child also starts the fork server.
        await asyncio.to_thread(self._start)

    async def run(self, operations: Batch) -> tuple[list[Any], frozenset[str]]:
        """The batch's results and the channels its commit wakes, once committed."""
        # Shielded: a caller cancelled midway must not leave the batch's answer unread.
        return await asyncio.shield(self._exchange(operations))

    async def stop(self) -> None:
        """Let the child finish (GroupCommitWriter.stop has drained the queue first)."""
        async with self._turn:
            if self._pipe is not None:
                try:
                    self._pipe.send(None)
                except OSError:
                    pass  # already gone
            await asyncio.to_thread(self._reap)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        ours, theirs = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=serve, args=(theirs, *self._args), name="omnirelay-sqlite-writer", daemon=True)
        process.start()
        # Only the child holds its end now: its death closes it, and our receive sees EOF.
        theirs.close()
        self._process, self._pipe = process, ours

    async def _exchange(self, operations: Batch) -> tuple[list[Any], frozenset[str]]:
        async with self._turn:
            pipe = await self._send(operations)
            try:
                ok, value = await _answer(pipe)
            except (EOFError, OSError) as exc:
                exit_code = await asyncio.to_thread(self._reap)
                log.error("sqlite_writer_process_lost", exit_code=exit_code, error=str(exc) or type(exc).__name__)
                raise GatewayError(Reason.STORE_UNAVAILABLE, "the store's writer process stopped; retry") from exc
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    async def _send(self, operations: Batch) -> Pipe:
        """Hand the batch to the child, starting one if there is none."""
        if self._pipe is None:
            await asyncio.to_thread(self._start)
        assert self._pipe is not None
        try:
            # A batch that cannot be pickled raises here, before anything was sent. The child
            # reads as we write, so a batch larger than the socket's buffer does not block long.
            self._pipe.send(operations)
        except (BrokenPipeError, ConnectionResetError):
            # Died since the last batch: a socket whose peer is gone refuses the write, so
            # nothing was sent, and a new child takes the batch. (Asking the process instead
            # asks the fork server, which a signal to the whole service may have stopped.)
            log.error("sqlite_writer_process_lost", exit_code=await asyncio.to_thread(self._reap))
            await asyncio.to_thread(self._start)
            assert self._pipe is not None
            self._pipe.send(operations)
        return self._pipe

    def _reap(self) -> int | None:
        """Forget a dead or stopping child (the next batch starts another); its exit code."""
        process, pipe = self._process, self._pipe
        self._process = self._pipe = None
        if pipe is not None:
            pipe.close()
        if process is None:
            return None
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join(STOP_SECONDS)
        return process.exitcode


async def _answer(pipe: Pipe) -> Outcome:
    """The child's next message, once the pipe is readable (EOFError when the child is gone).
    The child writes a message whole, so the read that follows readiness does not wait long."""
    loop = asyncio.get_running_loop()
    readable = loop.create_future()
    loop.add_reader(pipe.fileno(), lambda: readable.done() or readable.set_result(None))
    try:
        await readable
    finally:
        loop.remove_reader(pipe.fileno())
        # The loop made the socket non-blocking; Connection reads a message whole only on a
        # blocking one (else EAGAIN midway through a large answer).
        os.set_blocking(pipe.fileno(), True)
    return pipe.recv()  # type: ignore[no-any-return]


def serve(requests: Pipe, url: str, log_level: str, log_format: str) -> None:
    """The child: run each batch received in one transaction and answer its outcome, until
    told to stop (None) or the serving process is gone."""
    logs.configure(log_level, log_format)
    # Ctrl-C reaches the whole process group, and a service manager may signal every process
    # of the service: the serving process decides when this one stops, after its last batch.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.SIG_IGN)
    db = database.connect(url)
    assert isinstance(db, SqliteDatabase)
    # What the imports and the engine built lives as long as this process: out of the
    # collector's generations, a full collection no longer walks it (40 ms here, 2 after),
    # and every send waiting on the batch it falls in no longer waits as long.
    gc.freeze()
    try:
        while True:
            try:
                operations = requests.recv()
            except EOFError:
                return
            if operations is None:
                return
            requests.send(_run(db, operations))
    finally:
        asyncio.run(db.dispose())


def _run(db: SqliteDatabase, operations: Batch) -> Outcome:
    try:
        return True, db.write_here(partial(group_transaction, operations=operations, postgres=False))
    except Exception as exc:  # noqa: BLE001 - the serving process handles it
        return False, _sendable(exc)


def _sendable(exc: Exception) -> Exception:
    """`exc` as the serving process can receive it: errors of a lost database mapped as there,
    anything that does not pickle as a RuntimeError with its text (logged here in full)."""
    mapped = as_store_error(exc)
    if not isinstance(mapped, GatewayError):
        log.warning("write_failed", error=str(exc), exc_info=exc)
    try:
        pickle.loads(pickle.dumps(mapped))
    except Exception:  # noqa: BLE001 - any failure to travel
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return mapped

