"""Cleaning raw GPS: duplicates, out-of-order, poor accuracy, impossible jumps, clock skew."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from lastmile_common.geo import haversine_m


@dataclass(frozen=True, slots=True)
class Fix:
    """One position report of a vehicle, as tracking uses it."""

    time: datetime
    lat: float
    lon: float
    accuracy_m: float | None = None
    speed_mps: float | None = None
    heading_deg: float | None = None
    battery: float | None = None
    driver_id: str | None = None


class Verdict(StrEnum):
    """What the filter made of a fix; only ACCEPTED fixes move the live state."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # dropped: not stored again
    OUT_OF_ORDER = "out_of_order"  # stored as history, never moves the vehicle back in time
    INACCURATE = "inaccurate"  # stored, too vague to place the vehicle
    JUMP = "jump"  # stored, implies an impossible speed
    FUTURE = "future"  # dropped: the device clock is too far ahead to trust


@dataclass(frozen=True, slots=True)
class FilterConfig:
    """Thresholds of the cleaning rules."""

    max_accuracy_m: float = 100.0
    max_speed_mps: float = 70.0  # 250 km/h: faster than any van between two fixes
    max_clock_ahead_s: float = 300.0  # beyond this a future timestamp is rejected
    recent_times: int = 256  # how many timestamps are remembered to spot late duplicates
    reanchor_after: int = 3  # consistent "jumps" in a row mean the old anchor was the outlier


@dataclass(slots=True)
class FixFilter:
    """Per-vehicle cleaning state: the last accepted fix and what was seen recently."""

    config: FilterConfig = field(default_factory=FilterConfig)
    last: Fix | None = None
    _seen: deque[datetime] = field(default_factory=deque)
    _seen_set: set[datetime] = field(default_factory=set)
    _jumps: list[Fix] = field(default_factory=list)

    def judge(self, fix: Fix, received_at: datetime) -> tuple[Verdict, Fix]:
        """Classify a fix (clamping a slightly-ahead clock to `received_at`) and update the state."""
        ahead = (fix.time - received_at).total_seconds()
        if ahead > self.config.max_clock_ahead_s:
            return Verdict.FUTURE, fix
        if ahead > 0:
            # A phone clock a few seconds fast: the fix cannot be from the future.
            fix = replace(fix, time=received_at)
        if fix.time in self._seen_set:
            return Verdict.DUPLICATE, fix
        self._remember(fix.time)
        last = self.last
        if last is not None and fix.time < last.time:
            return Verdict.OUT_OF_ORDER, fix
        if fix.accuracy_m is not None and fix.accuracy_m > self.config.max_accuracy_m:
            return Verdict.INACCURATE, fix
        if last is not None and self._too_fast(last, fix):
            if self._reanchors(fix):
                self.last = fix
                return Verdict.ACCEPTED, fix
            return Verdict.JUMP, fix
        self._jumps.clear()
        self.last = fix
        return Verdict.ACCEPTED, fix

    def rewind(self, last: Fix | None, times: list[datetime]) -> None:
        """Undo judging some fixes (their transaction failed): they will be judged again."""
        self.last = last
        for time in times:
            self._seen_set.discard(time)
        self._jumps.clear()

    def _too_fast(self, a: Fix, b: Fix) -> bool:
        seconds = max((b.time - a.time).total_seconds(), 1.0)
        return haversine_m(a.lat, a.lon, b.lat, b.lon) / seconds > self.config.max_speed_mps

    def _reanchors(self, fix: Fix) -> bool:
        """Several rejected fixes that agree with each other outvote the single old anchor."""
        if self._jumps and self._too_fast(self._jumps[-1], fix):
            self._jumps.clear()
        self._jumps.append(fix)
        if len(self._jumps) >= self.config.reanchor_after:
            self._jumps.clear()
            return True
        return False

    def _remember(self, time: datetime) -> None:
        self._seen.append(time)
        self._seen_set.add(time)
        if len(self._seen) > self.config.recent_times:
            self._seen_set.discard(self._seen.popleft())


def in_order(fixes: list[Fix]) -> list[Fix]:
    """A burst (e.g. after an offline gap) applied oldest first."""
    return sorted(fixes, key=lambda f: f.time)


def too_old(fix: Fix, now: datetime, retention_days: int) -> bool:
    """A fix older than the retention period is never stored (privacy)."""
    return fix.time < now - timedelta(days=retention_days)
