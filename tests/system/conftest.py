"""Real `omnirelay serve` processes on loopback, for crash and grpcurl tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


class ServerProcess:
    def __init__(self, database_url: str, *flags: str, log_path: Path | None = None) -> None:
        """`log_path`: where its log (JSON lines) goes; nowhere by default."""
        env = {**os.environ, "OMNIRELAY_LOG_FORMAT": "json", "OMNIRELAY_LOG_LEVEL": "warning"}
        log = log_path.open("w") if log_path is not None else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [str(BIN / "omnirelay"), "serve", "--listen", "127.0.0.1:0", "--webhook-listen", "127.0.0.1:0", "--database-url", database_url, *flags],
            stdout=subprocess.PIPE, stderr=log, text=True, env=env,
        )
        if log_path is not None:
            log.close()
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "omnirelay listening on 127.0.0.1:PORT"
        if "listening on" not in line:
            self.proc.kill()
            raise RuntimeError(f"server did not start: {line!r}")
        self.address = line.split()[-1]

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(20)


def create_key(database_url: str, account: str) -> str:
    out = subprocess.run(
        [str(BIN / "omnirelay"), "keys", "create", "--account", account, "--database-url", database_url],
        check=True, capture_output=True, text=True, timeout=60,
    )
    return out.stdout.strip()


@pytest.fixture
def servers(database_url: str) -> Iterator[list[ServerProcess]]:
    """Started servers, killed at the end whatever happened."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        if server.proc.poll() is None:
            server.kill()
