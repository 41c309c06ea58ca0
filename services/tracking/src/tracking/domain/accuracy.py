"""ETA accuracy: on arrival, how wrong were the ETAs told 60, 30 and 10 minutes before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

HORIZONS_MIN = (60, 30, 10)


def arrival_errors(
    issued: Sequence[tuple[datetime, datetime]], arrived_at: datetime
) -> dict[int, float]:
    """Signed error (ETA minus actual, seconds; positive = the vehicle came earlier than told) per horizon in minutes.

    `issued` holds (told at, ETA) pairs; the ETA in force at a horizon is the last one told
    at or before `arrived_at - horizon`. Horizons with no ETA in force are left out.
    """
    out: dict[int, float] = {}
    for minutes in HORIZONS_MIN:
        cutoff = arrived_at - timedelta(minutes=minutes)
        in_force = [pair for pair in issued if pair[0] <= cutoff]
        if in_force:
            _told_at, eta = max(in_force, key=lambda pair: pair[0])
            out[minutes] = (eta - arrived_at).total_seconds()
    return out
