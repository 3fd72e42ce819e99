"""The CPU a measured window used: the load generator's own, and the whole machine's.

With both, a run says whether the machine was saturated, and what the client costs per call:
on a saturated machine, rates are in inverse ratio to the CPU each call costs all processes."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

# /proc/stat's first line: cpu user nice system idle iowait irq softirq steal guest guest_nice
_BUSY_FIELDS = (0, 1, 2, 5, 6)


def machine_busy_seconds() -> float | None:
    """CPU time the machine spent on work (user, nice, system, interrupts), summed over cores;
    None where /proc/stat cannot be read."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    return sum(int(fields[i]) for i in _BUSY_FIELDS) / os.sysconf("SC_CLK_TCK")


class CpuWindow:
    """Opened at construction; `close` gives (this process's CPU seconds, machine's busy cores)."""

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._own = time.process_time()
        self._machine = machine_busy_seconds()

    def close(self) -> tuple[float, float | None]:
        wall = time.perf_counter() - self._wall
        own = time.process_time() - self._own
        machine = machine_busy_seconds()
        if machine is None or self._machine is None or wall <= 0:
            return own, None
        return own, round((machine - self._machine) / wall, 2)


def per_call_ms(cpu_seconds: float, calls: float) -> float | None:
    """CPU milliseconds per call (CPU seconds over calls, or busy cores over calls/s)."""
    return round(cpu_seconds * 1000 / calls, 3) if calls else None


def machine_ms_per_call(phase: dict[str, Any]) -> float | None:
    """The machine's busy CPU time per call in a measured phase (a LoadResult as a dict): every
    process's, the database server's too."""
    busy = phase["machine_busy_cores"]
    return None if busy is None else per_call_ms(busy, phase["calls_per_s"])
