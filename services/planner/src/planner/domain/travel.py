"""Travel-time sources: the `TravelTimes` protocol, the great-circle estimate (no map) and a plane
for benchmarks; roads are in `road_travel`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from lastmile_common.routing.types import Profile
from lastmile_common.travel_profile import (
    DEFAULT_PROFILE,
    DETOUR_FACTOR,
    HOUR,
    SpeedBand,
    speed_at,
)

from planner.domain.geo import FloatMatrix, Location, euclidean_matrix, haversine_matrix


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Distances (m) and durations (s) between every pair of a list of locations.

    On roads, `inf` where no road connects two points, and `snap_m[i]`: how far location i lies
    from the nearest road the vehicle may use (None: no map, every point is reachable).
    """

    distance_m: FloatMatrix
    duration_s: FloatMatrix
    snap_m: FloatMatrix | None = None


class TravelTimes(Protocol):
    """Where travel times come from (great-circle estimate, OSRM/Valhalla adapter, plane)."""

    def matrix(
        self, locations: Sequence[Location], departure_s: int, profile: Profile = Profile.CAR
    ) -> TravelMatrix:
        """Distances and durations for legs that depart at `departure_s`."""
        ...

    def worst_case_matrix(
        self,
        locations: Sequence[Location],
        start_s: int,
        end_s: int,
        profile: Profile = Profile.CAR,
    ) -> TravelMatrix:
        """Durations no shorter than those of any departure in [start_s, end_s]."""
        ...


@dataclass(frozen=True, slots=True)
class GreatCircleTravelTimes:
    """Great-circle distance times a detour factor, at a speed that depends on time of day."""

    detour_factor: float = DETOUR_FACTOR
    profile: tuple[SpeedBand, ...] = DEFAULT_PROFILE

    def speed_at(self, t: int) -> float:
        """Road speed for a leg departing at `t` (seconds since midnight, wraps daily)."""
        return speed_at(self.profile, t)

    def slowest_speed(self, start_s: int, end_s: int) -> float:
        """Slowest speed of any departure in [start_s, end_s]."""
        if end_s - start_s >= 24 * HOUR:
            return min(b.speed_mps for b in self.profile)
        speeds = [self.speed_at(start_s), self.speed_at(end_s)]
        for day in range(start_s // (24 * HOUR), end_s // (24 * HOUR) + 1):
            for band in self.profile:
                lo, hi = band.start_s + day * 24 * HOUR, band.end_s + day * 24 * HOUR
                if lo <= end_s and hi > start_s:
                    speeds.append(band.speed_mps)
        return min(speeds)

    def matrix(
        self, locations: Sequence[Location], departure_s: int, profile: Profile = Profile.CAR
    ) -> TravelMatrix:
        """Road distance estimate and duration at the speed of the departure time."""
        dist = haversine_matrix(list(locations)) * self.detour_factor
        return TravelMatrix(dist, dist / self.speed_at(departure_s))

    def worst_case_matrix(
        self,
        locations: Sequence[Location],
        start_s: int,
        end_s: int,
        profile: Profile = Profile.CAR,
    ) -> TravelMatrix:
        """Durations at the slowest speed met in [start_s, end_s]."""
        dist = haversine_matrix(list(locations)) * self.detour_factor
        return TravelMatrix(dist, dist / self.slowest_speed(start_s, end_s))


@dataclass(frozen=True, slots=True)
class EuclideanTravelTimes:
    """Plane distances (Solomon instances): duration equals distance, both times `scale`."""

    scale: float = 1.0

    def matrix(
        self, locations: Sequence[Location], departure_s: int, profile: Profile = Profile.CAR
    ) -> TravelMatrix:
        """Plane distances; travel time is the same number."""
        dist = euclidean_matrix(list(locations), self.scale)
        return TravelMatrix(dist, dist.copy())

    def worst_case_matrix(
        self,
        locations: Sequence[Location],
        start_s: int,
        end_s: int,
        profile: Profile = Profile.CAR,
    ) -> TravelMatrix:
        """Same as `matrix`: plane travel does not depend on the time."""
        return self.matrix(locations, start_s)


def straight_line_matrix(locations: Sequence[Location], speed_mps: float) -> TravelMatrix:
    """Drone legs: straight great-circle line at the drone's own speed."""
    dist = haversine_matrix(list(locations))
    return TravelMatrix(dist, dist / speed_mps)


def fixed_speed_matrix(road: TravelMatrix, speed_mps: float) -> TravelMatrix:
    """Road distances at a vehicle's own speed (cargo bikes do not sit in traffic)."""
    return TravelMatrix(road.distance_m, road.distance_m / speed_mps, road.snap_m)


def leg_for_vehicle(
    travel: TravelTimes,
    is_drone: bool,
    own_speed_mps: float | None,
    profile: Profile,
    a: Location,
    b: Location,
    departure_s: int,
) -> tuple[float, float]:
    """Distance and duration of one leg for a vehicle departing at `departure_s`."""
    if is_drone and own_speed_mps:
        m = straight_line_matrix([a, b], own_speed_mps)
    else:
        m = travel.matrix([a, b], departure_s, profile)
        if own_speed_mps:
            m = fixed_speed_matrix(m, own_speed_mps)
    return float(m.distance_m[0, 1]), float(np.asarray(m.duration_s)[0, 1])
