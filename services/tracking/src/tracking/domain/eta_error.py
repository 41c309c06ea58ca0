"""ETA windows sized from measured error: by how much the ETAs customers held this long before
the van came missed today (the ETA told last, as they saw it, however long ago it was told)."""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Upper edges (seconds still to go) of the horizon buckets errors are kept in.
EDGES_S: tuple[float, ...] = (300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800)


@dataclass(frozen=True, slots=True)
class WindowConfig:
    """Which share of arrivals a window must hold, and how much error it takes to trust that."""

    coverage: float = 0.95
    margin: float = 1.0  # a stretch of the measured edges (1: none)
    # Below (n + 1) x 2.5 % >= 1, i.e. n < 39, the rank edges of a 95 % window are the sample's
    # extremes, which hold less than they claim (bench.eta's first day: 0.893 with 20).
    min_samples: int = 40
    keep: int = 300  # most recent errors per bucket: the day's pace changes
    min_half_s: float = 180.0


def horizon_bucket(seconds_to_go: float) -> int:
    """The index of the horizon bucket an ETA this far ahead belongs to."""
    return bisect.bisect_left(EDGES_S, max(0.0, seconds_to_go))


@dataclass
class ErrorBook:
    """Recent errors (arrival minus ETA, seconds; positive = later than told) per horizon."""

    config: WindowConfig = field(default_factory=WindowConfig)
    errors: dict[int, deque[float]] = field(default_factory=dict)

    def add(self, bucket: int, error_s: float) -> None:
        """Record one measured error."""
        kept = self.errors.setdefault(bucket, deque(maxlen=self.config.keep))
        kept.append(error_s)

    def span(self, seconds_to_go: float) -> tuple[float, float] | None:
        """Seconds before and after the ETA a window must reach to hold the stated share of
        arrivals, from the errors of ETAs told as far ahead; None: too few measured yet."""
        kept = self.errors.get(horizon_bucket(seconds_to_go))
        if kept is None or len(kept) < self.config.min_samples:
            return None
        ordered = sorted(kept)
        tail = (1.0 - self.config.coverage) / 2
        # Each edge is the order statistic that holds at least its share of the next arrival
        # given these (a sample's plain quantile holds less: the tails are seen only in part).
        low = _order_statistic(ordered, tail) * self.config.margin
        high = _order_statistic(ordered, 1.0 - tail) * self.config.margin
        floor = self.config.min_half_s
        return max(floor, -low), max(floor, high)


def _order_statistic(ordered: list[float], share: float) -> float:
    """The value at or below which a new sample falls with probability at least `share` (at
    most `1 - share` from the top, by rank: ceil((n + 1) x share)), clamped to the sample."""
    n = len(ordered)
    if share >= 0.5:
        rank = math.ceil((n + 1) * share)
        return ordered[min(n, rank) - 1]
    rank = math.floor((n + 1) * share)
    return ordered[max(1, rank) - 1]


def told_errors(
    told: Sequence[tuple[datetime, datetime]], arrived_at: datetime
) -> list[tuple[int, float]]:
    """(horizon bucket, arrival minus ETA) for each bucket edge: the ETA a customer held that
    long before the van came (the last one told by then), as the windows of that bucket hold.
    `told` has (told at, ETA) pairs."""
    out: list[tuple[int, float]] = []
    for bucket, edge in enumerate(EDGES_S):
        cutoff = arrived_at - timedelta(seconds=edge)
        held = [pair for pair in told if pair[0] <= cutoff]
        if held:
            _at, eta = max(held, key=lambda pair: pair[0])
            out.append((bucket, (arrived_at - eta).total_seconds()))
    return out
