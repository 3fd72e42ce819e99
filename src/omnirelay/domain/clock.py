"""Time as integer microseconds since the epoch: exact, index-friendly, the same in every store."""

from __future__ import annotations

import time
from collections.abc import Callable

from google.protobuf.timestamp_pb2 import Timestamp

# What reads the time where a test may need to move it (session windows, fallback timers): the
# gateway passes one clock to the API, the dispatcher and report storage.
Clock = Callable[[], int]


def now_us() -> int:
    return time.time_ns() // 1000


def to_timestamp(us: int | None) -> Timestamp | None:
    if not us:
        return None
    ts = Timestamp()
    ts.FromMicroseconds(us)
    return ts


def from_timestamp(ts: Timestamp) -> int:
    return ts.ToMicroseconds()
