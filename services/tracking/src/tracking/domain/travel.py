"""Travel times: great-circle distance x detour factor at a time-of-day speed (the planner's model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lastmile_common.geo import haversine_m
from lastmile_common.travel_profile import DEFAULT_PROFILE, DETOUR_FACTOR, HOUR, SpeedBand, speed_at


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
