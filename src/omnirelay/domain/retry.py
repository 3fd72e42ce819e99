"""Retry schedule: exponential backoff with full jitter, capped, and never past expiry."""

from __future__ import annotations

import random


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Delay before attempt `attempt + 1`, after `attempt` failures (full jitter, AWS style)."""
    return rng.uniform(0, min(cap, base * 2 ** (attempt - 1)))
