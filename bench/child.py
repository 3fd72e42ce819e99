"""Run one load-generator phase in a fresh `spawn`ed process and bring its result back.

A fresh interpreter per phase: the client never shares a process (or a GIL) with the harness,
and a hung phase is bounded by a timeout, then terminated."""

from __future__ import annotations

import multiprocessing
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from bench import eventloop
from bench.loadgen import EndToEndResult, EndToEndSpec, LoadResult, LoadSpec, run_spec

STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ChildFailure:
    traceback: str


def _child_main(spec: LoadSpec | EndToEndSpec, results: Connection) -> None:
    try:
        results.send(eventloop.run(run_spec(spec)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        results.send(ChildFailure(traceback.format_exc()))
    finally:
        results.close()


def stop_process(process: BaseProcess) -> None:
    """Join; terminate, then kill, whatever is still running."""
    process.join(STOP_TIMEOUT_S)
    if process.is_alive():
        process.terminate()
        process.join(STOP_TIMEOUT_S)
    if process.is_alive():
        process.kill()
        process.join(STOP_TIMEOUT_S)


def _receive(receiver: Connection, timeout_s: float) -> object | None:
    """The child's result; None when it died without sending one."""
    if not receiver.poll(timeout_s):
        raise TimeoutError(f"the load generator gave no result within {timeout_s:.0f} s")
    try:
        return receiver.recv()
    except EOFError:
        return None


def run_in_child(spec: LoadSpec | EndToEndSpec, timeout_s: float) -> LoadResult | EndToEndResult:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(spec, sender), name="bench-loadgen", daemon=True)
    process.start()
    sender.close()
    try:
        outcome = _receive(receiver, timeout_s)
    finally:
        receiver.close()
        stop_process(process)
    if outcome is None:
        raise RuntimeError(f"the load generator died without a result (exit code {process.exitcode})")
    if isinstance(outcome, ChildFailure):
        raise RuntimeError(f"the load generator failed:\n{outcome.traceback}")
    assert isinstance(outcome, LoadResult | EndToEndResult)
    return outcome
