"""Latency summaries and ratios: the arithmetic every figure of the report shares."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Latencies:
    """Milliseconds of `count` operations; `per_second` when they ran over a known time."""

    count: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float
    per_second: float | None = None


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of them at or below."""
    if not values:
        raise ValueError("No values.")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summarize(values_ms: Sequence[float], *, seconds: float | None = None) -> Latencies:
    return Latencies(
        count=len(values_ms),
        p50=percentile(values_ms, 0.50),
        p95=percentile(values_ms, 0.95),
        p99=percentile(values_ms, 0.99),
        mean=statistics.fmean(values_ms),
        max=max(values_ms),
        per_second=len(values_ms) / seconds if seconds else None,
    )


def ratio(measured: float | None, reference: float | None) -> float | None:
    """measured / reference; None when either is missing or the reference is zero."""
    if measured is None or not reference:
        return None
    return measured / reference


def minus(values: Sequence[float], constant: float) -> list[float]:
    """What a measure adds over a known part of it (a model's own latency)."""
    return [value - constant for value in values]
