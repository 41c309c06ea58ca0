"""ETA windows sized from measured error: what the ETAs told this far ahead missed by today."""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

# Upper edges (seconds still to go) of the horizon buckets errors are kept in.
EDGES_S: tuple[float, ...] = (300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800)


@dataclass(frozen=True, slots=True)
class WindowConfig:
    """Which share of arrivals a window must hold, and how much error it takes to trust that."""

    coverage: float = 0.95
    margin: float = 1.1  # quantiles of a sample understate the tails: stretch them a little
    min_samples: int = 20
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
        low = _quantile(ordered, tail) * self.config.margin
        high = _quantile(ordered, 1.0 - tail) * self.config.margin
        floor = self.config.min_half_s
        return max(floor, -low), max(floor, high)


def _quantile(ordered: list[float], share: float) -> float:
    position = share * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


Prediction = tuple[datetime, datetime]  # (computed at, ETA)


def note_prediction(
    log: dict[int, Prediction], computed_at: datetime, eta: datetime
) -> dict[int, Prediction]:
    """Keep the first ETA computed in each horizon bucket for an order (to measure on arrival)."""
    bucket = horizon_bucket((eta - computed_at).total_seconds())
    if bucket not in log:
        log[bucket] = (computed_at, eta)
    return log


def measured(log: dict[int, Prediction], arrived_at: datetime) -> list[tuple[int, float]]:
    """(horizon bucket, arrival minus ETA) of every prediction noted for an order."""
    return [(bucket, (arrived_at - eta).total_seconds()) for bucket, (_, eta) in log.items()]
