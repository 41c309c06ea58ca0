"""The figures of the rolling-restart benchmark: percentiles of latencies and the longest time
each vehicle went without an ETA update."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank `p` percentile (0 < p ≤ 100) of `values`, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n · p / 100), at least the first
    return ordered[int(rank) - 1]


def longest_gaps(
    updates: Mapping[str, Sequence[float]], start: float, end: float
) -> dict[str, tuple[float, float]]:
    """Per vehicle, the longest time in [start, end] without an update and when it began
    (times in seconds).

    The window's edges count: a vehicle whose last update came long before `end` (or whose
    first came long after `start`) went that long without one; a vehicle with no update at all
    went the whole window."""
    gaps = {}
    for vehicle, times in updates.items():
        inside = sorted(t for t in times if start <= t <= end)
        edges = [start, *inside, end]
        gaps[vehicle] = max((b - a, a) for a, b in pairwise(edges))
    return gaps
