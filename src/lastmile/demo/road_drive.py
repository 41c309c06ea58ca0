"""How simulated drivers really drive (no I/O): along the roads of each leg, at a pace of their
own that the plan does not know, with noisy service times and now and then a delay."""

from __future__ import annotations

import itertools
import math
import random
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lastmile_common.geo import haversine_m

LatLon = tuple[float, float]


@dataclass(frozen=True)
class DriverStyle:
    """One driver's habits: the share of the planned leg time they take, and their luck."""

    pace: float = 1.0  # > 1: slower than the plan's road times
    leg_sigma: float = 0.10  # log-normal noise of one leg (traffic lights, parking)
    service_sigma: float = 0.30  # log-normal noise of one stop's service time
    delays_per_hour: float = 0.3  # held up (a jam, a blocked street) this often while driving
    delay_s: tuple[float, float] = (180.0, 600.0)
    late_start_s: float = 0.0

    def describe(self) -> str:
        """In words, for the demo's log."""
        parts = [f"drives at {100 / self.pace:.0f}% of the planned speed"]
        if self.late_start_s:
            parts.append(f"starts {self.late_start_s / 60:.0f} min late")
        return ", ".join(parts)


def draw_style(rng: random.Random) -> DriverStyle:
    """A driver drawn from a plausible fleet: most near the plan, some slower, a few faster."""
    pace = min(1.45, max(0.85, rng.lognormvariate(math.log(1.08), 0.12)))
    late = rng.choice((0.0, 0.0, 0.0, 300.0, 600.0, 900.0))
    return DriverStyle(pace=round(pace, 3), late_start_s=late)


def draw_demo_style(rng: random.Random) -> DriverStyle:
    """A milder driver for the demo day, whose drivers carry their quirks already (a late start,
    a slow one, a changed order, a gap in signal): near the plan, rarely held up."""
    pace = min(1.15, max(0.92, rng.lognormvariate(math.log(1.03), 0.06)))
    return DriverStyle(pace=round(pace, 3), delays_per_hour=0.15)


def leg_seconds(style: DriverStyle, planned_s: float, rng: random.Random) -> tuple[float, float]:
    """(driving seconds, of which held up) for a leg the road engine puts at `planned_s`."""
    driving = planned_s * style.pace * rng.lognormvariate(0.0, style.leg_sigma)
    chance = 1.0 - math.exp(-style.delays_per_hour * driving / 3600)
    held = rng.uniform(*style.delay_s) if rng.random() < chance else 0.0
    return driving + held, held


def service_seconds(style: DriverStyle, planned_s: float, rng: random.Random) -> float:
    """How long a stop really takes (never under 30 s)."""
    return max(30.0, planned_s * rng.lognormvariate(0.0, style.service_sigma))


@dataclass(frozen=True)
class Position:
    """Where the vehicle is at a time, and how fast it goes."""

    at: datetime
    lat: float
    lon: float
    speed_mps: float


def along(
    path: Sequence[LatLon],
    start: datetime,
    seconds: float,
    every_s: float,
    held_s: float = 0.0,
    rng: random.Random | None = None,
) -> list[Position]:
    """Positions every `every_s` along `path`, reached after `seconds`; `held_s` of them spent
    standing at a point along the way (a jam), the rest at an even speed."""
    points = list(path) if len(path) >= 2 else [path[0], path[0]]
    cumulative = [0.0]
    for a, b in itertools.pairwise(points):
        cumulative.append(cumulative[-1] + haversine_m(*a, *b))
    total = cumulative[-1]
    moving = max(1.0, seconds - held_s)
    hold_at = (rng or random.Random(0)).uniform(0.2, 0.8) * moving if held_s else math.inf
    speed = total / moving
    out: list[Position] = []
    steps = max(1, math.ceil(seconds / every_s))
    for step in range(1, steps + 1):
        t = seconds * step / steps
        driven = t if t < hold_at else max(hold_at, t - held_s)
        metres = min(total, driven * speed)
        lat, lon = _point_at(points, cumulative, metres)
        still = hold_at <= t < hold_at + held_s
        out.append(Position(start + timedelta(seconds=t), lat, lon, 0.0 if still else speed))
    return out


def _point_at(points: Sequence[LatLon], cumulative: Sequence[float], metres: float) -> LatLon:
    index = max(1, bisect_left(cumulative, metres))
    if index >= len(points):
        return points[-1]
    a, b = points[index - 1], points[index]
    span = cumulative[index] - cumulative[index - 1]
    share = 0.0 if span <= 0 else (metres - cumulative[index - 1]) / span
    return a[0] + share * (b[0] - a[0]), a[1] + share * (b[1] - a[1])


def section(
    path: Sequence[LatLon], a: LatLon, b: LatLon, hint: int = 0
) -> tuple[list[LatLon], int]:
    """The piece of a route's road path from near `a` to near `b`, and the index it ends at.

    The path runs depot → stops → depot, so the next stop lies ahead of `hint` (where the last
    piece ended); a driver who changed the order may find it behind, and drives back along it.
    """
    if len(path) < 2:
        return [a, b], hint
    start = _nearest(path, a, hint)
    # The first pass near the stop: a route may come back along the same street later.
    ahead = next((i for i in range(start, len(path)) if _gap(path[i], b) <= 40.0), None)
    if ahead is None:
        ahead = _nearest(path, b, start)
    end = ahead if _gap(path[ahead], b) <= 150.0 else _nearest(path, b, 0)
    piece = list(path[start : end + 1]) if end >= start else list(path[end : start + 1])[::-1]
    return [a, *piece, b], end


def _nearest(path: Sequence[LatLon], point: LatLon, lo: int) -> int:
    return min(range(lo, len(path)), key=lambda i: _gap(path[i], point), default=len(path) - 1)


def _gap(p: LatLon, q: LatLon) -> float:
    return haversine_m(p[0], p[1], q[0], q[1])


def road_metres(points: Sequence[LatLon]) -> float:
    """The length of a polyline in metres."""
    return sum(_gap(p, q) for p, q in itertools.pairwise(points))
