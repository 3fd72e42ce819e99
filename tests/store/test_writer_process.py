"""SQLite's group transactions in a child process (store/writer_process.py): results, errors and
wake-ups come back as from a thread; a child that dies is replaced; one whose parent died exits."""

from __future__ import annotations

import asyncio
import gc
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
import uvloop
from sqlalchemy import Connection, text

from omnirelay.domain.errors import FieldViolation, GatewayError, Reason
from omnirelay.store import database, directory, messages, migrate
from omnirelay.store.notify import EVENTS
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.store.writer_process import WriterProcess


@dataclass
class Pid:
    """An operation that answers with the process it ran in (the child's pid)."""

    def __call__(self, conn: Connection) -> int:
        conn.execute(text("SELECT 1"))
        return os.getpid()


def _frozen_objects(conn: Connection) -> int:
    return gc.get_freeze_count()


def _large_answer(conn: Connection, size: int) -> bytes:
    return b"x" * size


def _exit_midway(conn: Connection) -> None:
    conn.execute(text("INSERT INTO accounts (id, display_name, create_time) VALUES ('lost', 'lost', 0)"))
    os._exit(3)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[tuple[database.SqliteDatabase, WriterProcess, GroupCommitWriter]]:
    db = database.connect(f"sqlite:///{tmp_path}/store.db")
    assert isinstance(db, database.SqliteDatabase)
    await migrate.upgrade(db)
    process = WriterProcess(db.url, "warning", "json")
    await process.start()
    writer = GroupCommitWriter(db, transactions=process.run)
    writer.start()
    try:
        yield db, process, writer
    finally:
        await writer.stop()
        await process.stop()
        await db.dispose()


async def test_the_child_keeps_what_it_started_with_out_of_full_collections(store) -> None:  # type: ignore[no-untyped-def]
    """Frozen at start, as the serving process is: a full collection there took 40 ms, and
    every send waiting on the batch it fell in waited as long."""
    _, _, writer = store
    assert await writer.submit(_frozen_objects) > 10_000


async def _account_names(db: database.Database) -> list[str]:
    return await db.read(lambda conn: list(conn.execute(text("SELECT id FROM accounts ORDER BY id")).scalars()))


async def test_batches_commit_in_the_child_and_the_reader_here_sees_them(store) -> None:  # type: ignore[no-untyped-def]
    db, process, writer = store
    created = await asyncio.gather(*(
        writer.submit(partial(directory.create_account, account_id=f"a{n}", display_name=f"A {n}", now_us=n)) for n in range(20)
    ))
    assert [a.name for a in created] == [f"accounts/a{n}" for n in range(20)]
    assert await _account_names(db) == sorted(f"a{n}" for n in range(20))
    assert await writer.submit(Pid()) == process.pid != os.getpid()
    # Twenty submitted together share transactions as they do on a thread.
    assert writer.operations == 21 and writer.batches <= 4


async def test_an_operations_error_comes_back_whole_and_spares_the_rest_of_its_batch(store) -> None:  # type: ignore[no-untyped-def]
    db, _, writer = store
    first = partial(directory.create_account, account_id="dup", display_name="first", now_us=1)
    again = partial(directory.create_account, account_id="dup", display_name="again", now_us=2)
    other = partial(directory.create_account, account_id="other", display_name="other", now_us=3)
    results = await asyncio.gather(writer.submit(first), writer.submit(again), writer.submit(other), return_exceptions=True)
    assert [r.display_name for r in (results[0], results[2])] == ["first", "other"]
    error = results[1]
    assert isinstance(error, GatewayError) and error.reason is Reason.ALREADY_EXISTS and "dup" in error.message
    assert await _account_names(db) == ["dup", "other"]


async def test_an_operation_that_does_not_pickle_fails_alone(store) -> None:  # type: ignore[no-untyped-def]
    _, process, writer = store
    with pytest.raises(AttributeError, match="pickle"):
        await writer.submit(lambda conn: None)
    assert await writer.submit(Pid()) == process.pid


async def test_a_child_that_died_is_replaced(store) -> None:  # type: ignore[no-untyped-def]
    db, process, writer = store
    first = process.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(first) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    # Between batches: the next one goes to a new child.
    assert await writer.submit(Pid()) not in (None, first)
    # Midway through a batch: the batch fails as the store being unreachable, and is not stored.
    with pytest.raises(GatewayError) as lost:
        await writer.submit(_exit_midway)
    assert lost.value.reason is Reason.STORE_UNAVAILABLE
    assert await writer.submit(Pid()) == process.pid
    assert await _account_names(db) == []


def test_an_answer_larger_than_the_pipe_comes_back_whole_on_uvloop(tmp_path: Path) -> None:
    """The gateway's loop is uvloop, which leaves the pipe non-blocking after waiting on it."""

    async def scenario() -> None:
        db = database.connect(f"sqlite:///{tmp_path}/store.db")
        assert isinstance(db, database.SqliteDatabase)
        process = WriterProcess(db.url, "warning", "json")
        await process.start()
        try:
            for size in (10, 8_000_000, 10):
                results, _ = await process.run([partial(_large_answer, size=size)])
                assert results == [b"x" * size]
        finally:
            await process.stop()
            await db.dispose()

    uvloop.run(scenario())


def test_a_new_message_travels_to_the_child_as_plain_data() -> None:
    """Its row's keys are plain strings, not SQLAlchemy's quoted_name: each such key unpickles
    through a constructor call, which made unpickling a send cost 14 times as much."""
    row = messages.new_message_row(id="m1", account_id="a", identity_id="i", channel=1, direction=1, sender="+15551234567",
                                   recipient="+15557654321", status=1, body=b"body", create_time=1, next_attempt_time=1)
    sent = pickle.dumps(messages.InsertMessage(row, now_us=1))
    assert b"sqlalchemy" not in sent
    assert pickle.loads(sent).row == row


def test_gateway_errors_pickle_whole() -> None:
    error = GatewayError(Reason.INVALID_FIELD, "bad", [FieldViolation("recipient", "is required")], {"message": "m"})
    again = pickle.loads(pickle.dumps(error))
    assert (again.reason, again.message, again.violations, again.metadata) == (error.reason, error.message, error.violations, error.metadata)


async def test_wakeups_come_back_from_the_child(store) -> None:  # type: ignore[no-untyped-def]
    _, process, _ = store
    results, channels = await process.run([partial(directory.create_account, account_id="w", display_name="w", now_us=1)])
    assert [a.name for a in results] == ["accounts/w"] and channels == frozenset({EVENTS})


def test_the_child_exits_when_the_serving_process_dies(tmp_path: Path) -> None:
    """No orphan: killed with SIGKILL, the parent leaves a pipe the child sees closed."""
    script = textwrap.dedent(f"""
        import asyncio, os, sys
        from omnirelay.store import database, migrate
        from omnirelay.store.writer_process import WriterProcess

        async def main():
            db = database.connect("sqlite:///{tmp_path}/store.db")
            await migrate.upgrade(db)
            process = WriterProcess(db.url, "warning", "json")
            await process.start()
            print(process.pid, flush=True)
            await asyncio.sleep(60)

        asyncio.run(main())
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        os.kill(child, 0)  # alive
    finally:
        parent.kill()
        parent.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie left for the forkserver to reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_the_child_outlives_a_signal_to_the_whole_service(store) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C, or a service manager's SIGTERM to every process: the gateway drains its writes
    to the child, which stops when told to."""
    _, process, writer = store
    pid = await writer.submit(Pid())  # serving batches: past its start
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        os.kill(pid, stop_signal)
    await asyncio.sleep(0.2)
    assert await writer.submit(Pid()) == pid


async def test_the_child_serves_on_when_the_fork_server_is_gone(store) -> None:  # type: ignore[no-untyped-def]
    """A signal to the whole service stops the fork server; the child it started is still the
    writer (asked through the fork server, it would look dead)."""
    _, _, writer = store
    pid = await writer.submit(Pid())
    fork_server = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    os.kill(fork_server, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while _alive(fork_server) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert not _alive(fork_server)
    assert await writer.submit(Pid()) == pid
