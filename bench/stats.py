"""Latency summaries (nearest-rank percentiles, milliseconds) and rounded rates and ratios.

Missing figures are None, never NaN, so the JSON stays standard."""

from __future__ import annotations

import math
from collections.abc import Sequence

QUANTILES = (0.5, 0.9, 0.99)


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile of already sorted values (fraction in 0..1); None when empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50, p90, p99, max and mean of latencies given in seconds, in milliseconds."""
    values = sorted(s * 1000 for s in seconds)
    summary = {f"p{round(q * 100)}_ms": percentile(values, q) for q in QUANTILES}
    summary["max_ms"] = values[-1] if values else None
    summary["mean_ms"] = sum(values) / len(values) if values else None
    return {k: None if v is None else round(v, 3) for k, v in summary.items()}


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def ratio(value: float | None, baseline: float | None) -> float | None:
    if not value or not baseline:
        return None
    return round(value / baseline, 3)
