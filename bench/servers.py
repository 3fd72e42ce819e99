"""Server subprocesses: the echo baseline and `omnirelay serve`, and their peak memory.

Both print "... listening on 127.0.0.1:PORT" on stdout once they serve; stderr goes to a log
file. `running_server` stops the process (SIGTERM, then SIGKILL) whatever happens."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.workload import ACCOUNT_ID

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
OMNIRELAY = str(VENV_BIN / "omnirelay")
T = TypeVar("T", int, float)
READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 2.0
PSS_SAMPLE_S = 0.25
KILL_WAIT_S = 10.0

SANDBOX_DELIVERED_DELAY_MS = 10
SANDBOX_READ_DELAY_MS = 20
SMSC_RECEIPT_DELAY_S = 0.01


class PeakMemory:
    """The peak of a process tree's proportional set size (PSS), summed over the tree and
    sampled on a thread every `interval_s` while it runs.

    PSS, not RSS: the gateway's SQLite writer process is forked from a fork server, and the
    pages they share count once in the sum, where each process's own peak RSS (VmHWM) counts
    them in each. Sampled, so a peak shorter than the interval can be missed."""

    def __init__(self, pid: int, interval_s: float = PSS_SAMPLE_S) -> None:
        self._pid = pid
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name=f"pss-{pid}", daemon=True)
        # The sampling thread and a caller reading the figure both sample.
        self._lock = threading.Lock()
        self.peak_kib: int | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        pss = _tree_sum(self._pid, lambda pid: memory_kib(pid, "Pss", "smaps_rollup"))
        with self._lock:
            if pss is not None and (self.peak_kib is None or pss > self.peak_kib):
                self.peak_kib = pss

    def _sample(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.sample()


@dataclass
class ServerProcess:
    name: str
    process: subprocess.Popen[str]
    address: str
    log_path: Path
    memory: PeakMemory
    # Set once stopped: how it exited after SIGTERM, and how long that took.
    exit_code: int | None = None
    stop_seconds: float | None = None

    # Each figure covers the server's processes: it and its descendants (the gateway's SQLite
    # writer process, and the fork server it is started from).

    def peak_pss_mib(self) -> float | None:
        """The highest PSS of the processes together so far (sampled, see PeakMemory)."""
        self.memory.sample()
        peak = self.memory.peak_kib
        return None if peak is None else round(peak / 1024, 1)

    def rss_kib(self) -> int | None:
        return _tree_sum(self.process.pid, lambda pid: memory_kib(pid, "VmRSS"))

    def cpu_seconds(self) -> float | None:
        return _tree_sum(self.process.pid, cpu_seconds)


def _tree_sum(pid: int, read: Callable[[int], T | None]) -> T | None:
    """`read` summed over `pid` and its descendants; None when `pid` itself cannot be read (a
    descendant that ended meanwhile is left out)."""
    own = read(pid)
    if own is None:
        return None
    return sum((v for v in map(read, process_tree(pid)[1:]) if v is not None), own)  # type: ignore[no-any-return]


def process_tree(pid: int) -> list[int]:
    """`pid` and its live descendants (an empty list once `pid` is gone)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces: split after its closing parenthesis.
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    if not Path(f"/proc/{pid}").exists():
        return []
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def memory_kib(pid: int, field: str, proc_file: str = "status") -> int | None:
    """A memory figure of a live process in KiB, from /proc/PID/`proc_file`: VmRSS and the like
    from status, Pss from smaps_rollup; None when it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/{proc_file}").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time a live process has used so far; None when it cannot be read."""
    try:
        # The command name (field 2) may hold spaces: split after its closing parenthesis.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # utime and stime are fields 14 and 15 of stat, in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_listen_address(process: subprocess.Popen[str], timeout_s: float) -> str:
    """The address in the first stdout line, "... listening on HOST:PORT"."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    line = process.stdout.readline() if ready else ""
    if "listening on" not in line:
        raise RuntimeError(f"server did not start within {timeout_s:.0f} s (exit code {process.poll()}), first line {line!r}")
    return line.split()[-1]


def stop(process: subprocess.Popen[str], grace_s: float) -> int:
    """SIGTERM, then SIGKILL after `grace_s` plus a margin; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(grace_s + KILL_WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait(KILL_WAIT_S)


def source_env(source: Path | None) -> dict[str, str] | None:
    """The environment that runs omnirelay from the checkout `source` (its src/ first on the
    import path), to compare two versions; None: this tree's."""
    if source is None:
        return None
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(source / "src"), os.environ.get("PYTHONPATH"))))}


@contextmanager
def running_server(
    name: str, argv: list[str], log_path: Path, grace_s: float = STOP_GRACE_S, env: dict[str, str] | None = None,
) -> Iterator[ServerProcess]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True, cwd=REPO_ROOT, env=env)
    server: ServerProcess | None = None
    memory = PeakMemory(process.pid)
    try:
        server = ServerProcess(name, process, _read_listen_address(process, READY_TIMEOUT_S), log_path, memory)
        memory.start()
        yield server
    finally:
        if server is not None:
            memory.stop()
        stopping = time.monotonic()
        exit_code = stop(process, grace_s)
        if server is not None:
            server.exit_code, server.stop_seconds = exit_code, round(time.monotonic() - stopping, 2)
        if process.stdout is not None:
            process.stdout.close()


def echo_server(log_path: Path) -> AbstractContextManager[ServerProcess]:
    """The bare grpc.aio echo server on a free loopback port."""
    return running_server("echo", [sys.executable, "-m", "bench.echo_server", "--listen", "127.0.0.1:0"], log_path)


def gateway(database_url: str, log_path: Path, extra_args: Sequence[str] = (), source: Path | None = None) -> AbstractContextManager[ServerProcess]:
    """`omnirelay serve` on a free loopback port with a fast sandbox; `extra_args` are more
    `serve` flags; `source`, another checkout to run instead of this tree."""
    argv = [
        OMNIRELAY, "serve", "--listen", "127.0.0.1:0", "--webhook-listen", "127.0.0.1:0", "--database-url", database_url,
        "--log-level", "warning", "--log-format", "json",
        "--sandbox-delivered-delay-ms", str(SANDBOX_DELIVERED_DELAY_MS),
        "--sandbox-read-delay-ms", str(SANDBOX_READ_DELAY_MS),
        "--shutdown-grace-seconds", str(STOP_GRACE_S),
        *extra_args,
    ]
    return running_server("gateway", argv, log_path, env=source_env(source))


def smsc_simulator(log_path: Path) -> AbstractContextManager[ServerProcess]:
    """The SMSC simulator on a free loopback port, sending each DELIVRD receipt after 10 ms."""
    argv = [sys.executable, "-m", "omnirelay.channels.smpp.simulator", "--port", "0", "--receipt-delay", str(SMSC_RECEIPT_DELAY_S)]
    return running_server("smsc", argv, log_path)


def create_account_key(database_url: str, source: Path | None = None) -> str:
    """`omnirelay keys create --account bench`: creates the account (and, first, the schema of
    the version that will serve it) and prints the key once."""
    done = subprocess.run(
        [OMNIRELAY, "keys", "create", "--account", ACCOUNT_ID, "--database-url", database_url, "--log-level", "warning"],
        check=True, capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
        env={**(source_env(source) or os.environ), "OMNIRELAY_LOG_FORMAT": "json"},
    )
    return done.stdout.strip()
