"""Group commit: concurrent writes share one transaction, each caller answered after the commit.

One task drains a queue of operations and runs them in a single transaction, so throughput is
not capped by one commit (one fsync) per message. If any operation fails, the batch is rolled
back and its operations re-run one transaction each, so one bad operation cannot fail the rest.
Operations must therefore be re-runnable: they may not mutate their inputs.

A commit wakes whoever its operations concern (store/notify.py): an operation may define
`wakes(result)`, the notification channels its outcome concerns; without it, EVENTS. On
PostgreSQL they are notified in the transaction, so the other replicas wake too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import structlog
from sqlalchemy import Connection

from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.store import statements
from omnirelay.store.database import ADVISORY_XACT_LOCK, EVENT_LOG_LOCK, Database, as_store_error
from omnirelay.store.notify import EVENTS, notify_statement

log = structlog.get_logger(__name__)

T = TypeVar("T")
# A plain function of the transaction's connection: it runs on the store's side (Database.write).
Operation = Callable[[Connection], T]
# Runs a batch of operations in one transaction: their results, and the channels the commit wakes.
Transactions = Callable[[list[Operation[Any]]], Awaitable[tuple[list[Any], frozenset[str]]]]


class GroupCommitWriter:
    def __init__(
        self, db: Database, max_batch: int = 500, on_commit: Callable[[frozenset[str]], None] | None = None,
        transactions: Transactions | None = None,
    ) -> None:
        self._db = db
        # Where a batch's transaction runs: by default db.write, here (store/writer_process.py
        # runs SQLite's in a child process).
        self._transactions = transactions
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Operation[Any], asyncio.Future[Any]]] = asyncio.Queue()
        self._on_commit = on_commit or (lambda _channels: None)
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.operations = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="group-commit-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def submit(self, operation: Operation[T]) -> T:
        """Run `operation` in the next group transaction; return its result after the commit."""
        if self._task is None:
            raise GatewayError(Reason.SHUTTING_DOWN, "the store is not accepting writes")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((operation, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            # Whatever queued up while the previous commit ran joins this one.
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[tuple[Operation[Any], asyncio.Future[Any]]]) -> None:
        try:
            results, channels = await self._transaction([op for op, _ in batch])
        except Exception as exc:  # noqa: BLE001 - isolated below or handed to the caller
            if len(batch) > 1:
                for item in batch:
                    await self._commit([item])
            elif not batch[0][1].done():
                batch[0][1].set_exception(as_store_error(exc))
            return
        self.batches += 1
        self.operations += len(batch)
        self._on_commit(channels)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _transaction(self, operations: list[Operation[Any]]) -> tuple[list[Any], frozenset[str]]:
        if self._transactions is not None:
            return await self._transactions(operations)
        return await self._db.write(partial(group_transaction, operations=operations, postgres=self._db.is_postgres))


def group_transaction(conn: Connection, operations: list[Operation[Any]], postgres: bool) -> tuple[list[Any], frozenset[str]]:
    """One group commit's statements: the operations' results, and whom their commit wakes."""
    if postgres:
        # Taken first: event sequence order is then commit order.
        statements.run(conn, ADVISORY_XACT_LOCK, {"key": EVENT_LOG_LOCK})
    results = run_operations(conn, operations)
    channels = frozenset().union(*(_wakes(op, result) for op, result in zip(operations, results, strict=True)))
    if channels and postgres:
        statements.run(conn, notify_statement(channels))
    return results, channels


def _wakes(operation: Operation[Any], result: Any) -> frozenset[str]:
    wakes = getattr(operation, "wakes", None)
    return frozenset({EVENTS}) if wakes is None else wakes(result)


def run_operations(conn: Connection, operations: list[Operation[Any]]) -> list[Any]:
    """Run a batch's operations; those of a class with `run_batch` run as one batch per class.

    The batch's operations were submitted concurrently, so any order of them is one the callers
    could have seen: classes run in the order they first appear (a caller submitting two
    together, as the dispatcher does a timeout switch and then a claim, keeps their order), and
    each class's operations in the order they came. Grouping a class whole, not only its
    neighbours, saves a class's statements once per run: arrivals interleave the classes."""
    by_class: dict[type, list[int]] = {}
    for i, operation in enumerate(operations):
        by_class.setdefault(type(operation), []).append(i)
    results: list[Any] = [None] * len(operations)
    for kind, indexes in by_class.items():
        run_batch = getattr(kind, "run_batch", None)
        if run_batch is None:
            for i in indexes:
                results[i] = operations[i](conn)
        else:
            for i, result in zip(indexes, run_batch(conn, [operations[i] for i in indexes]), strict=True):
                results[i] = result
    return results
