"""The routing interface's value types: points, bounds, matrices, routes, snaps (no I/O)."""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Profile(StrEnum):
    """A vehicle profile the road network is prepared for (OSRM's Lua profile of that name)."""

    CAR = "car"
    BICYCLE = "bicycle"


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position in degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Bounds:
    """The rectangle a map covers (WGS84 degrees)."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, point: Point) -> bool:
        """True if the point lies inside the rectangle (edges included)."""
        return (
            self.min_lat <= point.lat <= self.max_lat and self.min_lon <= point.lon <= self.max_lon
        )


@dataclass(frozen=True, slots=True)
class RoadMatrix:
    """Road durations (s) and distances (m) between every pair of `size` points, row-major.

    `durations_s[i * size + j]` is the leg from point i to point j; `math.inf` where no road
    connects them. Flat `array('d')` so a NumPy user can view it without a copy
    (`np.frombuffer(m.durations_s).reshape(m.size, m.size)`). `snap_m[i]`: how far point i
    lies from the road the engine put it on (a point far off the map still gets a road: the
    nearest one, maybe kilometres away).
    """

    size: int
    durations_s: array[float]
    distances_m: array[float]
    snap_m: tuple[float, ...]
    bucket: str

    def duration(self, i: int, j: int) -> float:
        """Seconds from point i to point j (inf if unreachable)."""
        return self.durations_s[i * self.size + j]

    def distance(self, i: int, j: int) -> float:
        """Metres from point i to point j (inf if unreachable)."""
        return self.distances_m[i * self.size + j]

    def reachable(self, i: int, j: int) -> bool:
        """True if a road leads from point i to point j."""
        return not math.isinf(self.durations_s[i * self.size + j])


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg of a route, from stop i to stop i + 1."""

    duration_s: float
    distance_m: float


@dataclass(frozen=True, slots=True)
class RoadRoute:
    """The road path through a sequence of stops, in the order given.

    `polyline`: the whole path as a Google encoded polyline (precision 5, lat/lon order).
    """

    polyline: str
    duration_s: float
    distance_m: float
    legs: tuple[Leg, ...]
    bucket: str


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a point meets the nearest road usable by a profile."""

    point: Point
    road_point: Point
    distance_m: float
    road_name: str


class RoutingError(RuntimeError):
    """The routing engine could not answer (bad input, no route, engine failure)."""


class MapDataError(RoutingError):
    """A map extract or prepared dataset is missing or unreadable; the message names the file."""


def check_points(points: Sequence[Point], least: int) -> None:
    """Refuse too few points or coordinates outside WGS84 ranges (before the engine sees them)."""
    if len(points) < least:
        raise RoutingError(f"need at least {least} points, got {len(points)}")
    for index, p in enumerate(points):
        if not (-90.0 <= p.lat <= 90.0 and -180.0 <= p.lon <= 180.0):
            raise RoutingError(f"point {index} is not a WGS84 position: {p}")
