"""Travel legs for ETAs: the `Travel` port (roads, in adapters/roads.py) and the straight-line
model (great-circle distance x detour factor at a time-of-day speed) where there is no map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from lastmile_common.geo import haversine_m
from lastmile_common.travel_profile import DEFAULT_PROFILE, DETOUR_FACTOR, HOUR, SpeedBand, speed_at

from tracking.domain.route import RouteState, StopState


class Travel(Protocol):
    """Driving seconds along a sequence of stops, before the driver's pace."""

    def legs(
        self,
        route: RouteState,
        origin: tuple[float, float],
        stops: Sequence[StopState],
        at: datetime,
    ) -> list[float]:
        """Seconds from `origin` to stops[0], then from each stop to the next, leaving at `at`."""
        ...


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class TravelTimes:
    """Great-circle distance times a detour factor, at a speed that depends on local time of day."""

    detour_factor: float = DETOUR_FACTOR
    profile: tuple[SpeedBand, ...] = DEFAULT_PROFILE

    def speed_at(self, seconds_of_day: int) -> float:
        """Road speed for a leg departing `seconds_of_day` after local midnight."""
        return speed_at(self.profile, seconds_of_day)

    def road_distance_m(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Estimated road distance between two points."""
        return haversine_m(lat1, lon1, lat2, lon2) * self.detour_factor

    def leg_s(
        self, lat1: float, lon1: float, lat2: float, lon2: float, depart: datetime, tz: ZoneInfo
    ) -> float:
        """Seconds to drive from one point to another departing at `depart`."""
        local = depart.astimezone(tz)
        seconds = local.hour * HOUR + local.minute * 60 + local.second
        return self.road_distance_m(lat1, lon1, lat2, lon2) / self.speed_at(seconds)

    def legs(
        self,
        route: RouteState,
        origin: tuple[float, float],
        stops: Sequence[StopState],
        at: datetime,
    ) -> list[float]:
        """Each leg at the speed of the hour it departs (after the stops' service times)."""
        tz = _zone(route.time_zone)
        clock, (lat, lon) = at, origin
        out: list[float] = []
        for stop in stops:
            leg = self.leg_s(lat, lon, stop.lat, stop.lon, clock, tz)
            out.append(leg)
            clock += timedelta(seconds=leg + stop.service_time_s)
            lat, lon = stop.lat, stop.lon
        return out
