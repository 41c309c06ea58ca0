"""Travel times: great-circle distance x detour factor at a time-of-day speed (the planner's model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tracking.domain.geo import haversine_m

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True, slots=True)
class SpeedBand:
    """Road speed for legs departing in [start_s, end_s) seconds after local midnight."""

    start_s: int
    end_s: int
    speed_mps: float


# Urban van speeds: rush hours 07:00-09:30 and 16:00-19:00 are slower (same as the planner).
DEFAULT_PROFILE: tuple[SpeedBand, ...] = (
    SpeedBand(0, 7 * HOUR, 9.0),
    SpeedBand(7 * HOUR, 9 * HOUR + 1800, 5.5),
    SpeedBand(9 * HOUR + 1800, 16 * HOUR, 8.0),
    SpeedBand(16 * HOUR, 19 * HOUR, 5.5),
    SpeedBand(19 * HOUR, DAY, 9.0),
)


@dataclass(frozen=True, slots=True)
class TravelTimes:
    """Great-circle distance times a detour factor, at a speed that depends on local time of day."""

    detour_factor: float = 1.3
    profile: tuple[SpeedBand, ...] = DEFAULT_PROFILE

    def speed_at(self, seconds_of_day: int) -> float:
        """Road speed for a leg departing `seconds_of_day` after local midnight."""
        t = seconds_of_day % DAY
        for band in self.profile:
            if band.start_s <= t < band.end_s:
                return band.speed_mps
        return self.profile[-1].speed_mps

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
