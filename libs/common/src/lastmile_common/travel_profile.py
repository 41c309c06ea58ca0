"""The travel-time model for places without a map: great-circle distance times a detour factor,
at a road speed that depends on the local time of day (rush hours slower). Where there is a map,
travel comes from roads (`lastmile_common.routing`); this model stays for map-less problems
such as Solomon's benchmark instances."""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 3600
DAY = 24 * HOUR
DETOUR_FACTOR = 1.3


@dataclass(frozen=True, slots=True)
class SpeedBand:
    """Road speed for legs departing in [start_s, end_s) seconds after local midnight."""

    start_s: int
    end_s: int
    speed_mps: float


# Urban van speeds: rush hours 07:00-09:30 and 16:00-19:00 are slower.
DEFAULT_PROFILE: tuple[SpeedBand, ...] = (
    SpeedBand(0, 7 * HOUR, 9.0),
    SpeedBand(7 * HOUR, 9 * HOUR + 1800, 5.5),
    SpeedBand(9 * HOUR + 1800, 16 * HOUR, 8.0),
    SpeedBand(16 * HOUR, 19 * HOUR, 5.5),
    SpeedBand(19 * HOUR, DAY, 9.0),
)


def speed_at(profile: tuple[SpeedBand, ...], seconds_of_day: int) -> float:
    """Road speed of a leg departing `seconds_of_day` after local midnight (wraps daily)."""
    t = seconds_of_day % DAY
    for band in profile:
        if band.start_s <= t < band.end_s:
            return band.speed_mps
    return profile[-1].speed_mps
