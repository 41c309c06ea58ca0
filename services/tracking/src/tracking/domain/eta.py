"""ETAs for the remaining stops: travel legs, service times, the driver's pace, a narrowing window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from tracking.domain.progress import remaining
from tracking.domain.route import RouteState
from tracking.domain.service_start import service_start
from tracking.domain.travel import TravelTimes


@dataclass(frozen=True, slots=True)
class EtaConfig:
    """How wide ETA windows are and how much the observed pace may stretch the plan."""

    min_half_window_s: float = 300.0
    max_half_window_s: float = 3600.0
    window_fraction: float = 0.15  # of the time still to go: far stops get wide windows
    per_stop_s: float = 60.0  # every stop before yours adds uncertainty
    min_pace: float = 0.7
    max_pace: float = 1.8


@dataclass(frozen=True, slots=True)
class StopEta:
    """When the vehicle is expected at one stop, with a window and how many stops come first."""

    stop_id: str
    order_id: str
    eta: datetime
    window_start: datetime
    window_end: datetime
    stops_away: int


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def pace_factor(route: RouteState, config: EtaConfig) -> float:
    """Observed time over planned time to the latest arrival (1.0 before any arrival)."""
    if route.started_at is None:
        return 1.0
    visited = [(s.arrived_at, s) for s in route.stops if s.arrived_at is not None]
    if not visited:
        return 1.0
    arrived_at, last = max(visited, key=lambda pair: pair[0])
    planned = (last.planned_arrival - route.start_time).total_seconds()
    actual = (arrived_at - route.started_at).total_seconds()
    if planned <= 60 or actual <= 0:
        return 1.0
    return min(config.max_pace, max(config.min_pace, actual / planned))


def half_window_s(seconds_to_go: float, stops_away: int, config: EtaConfig) -> float:
    """Half the ETA window: narrows as the stop nears."""
    half = (
        config.min_half_window_s
        + config.window_fraction * max(0.0, seconds_to_go)
        + config.per_stop_s * stops_away
    )
    return min(config.max_half_window_s, half)


def compute_etas(
    route: RouteState,
    lat: float,
    lon: float,
    at: datetime,
    travel: TravelTimes,
    config: EtaConfig,
) -> list[StopEta]:
    """ETAs of every open stop of a route from the vehicle's position at time `at`."""
    tz = _zone(route.time_zone)
    pace = pace_factor(route, config)
    clock, here_lat, here_lon = at, lat, lon
    out: list[StopEta] = []
    for index, stop in enumerate(remaining(route)):
        service = timedelta(seconds=stop.service_time_s)
        if stop.stop_id == route.at_stop and stop.arrived_at is not None:
            eta = stop.arrived_at
            clock = max(at, service_start(stop, eta) + service)
            floor = at
        else:
            leg = travel.leg_s(here_lat, here_lon, stop.lat, stop.lon, clock, tz) * pace
            # Early vans wait for the window and the planned start: the wait carries onwards.
            eta = service_start(stop, clock + timedelta(seconds=leg))
            clock = eta + service
            floor = service_start(stop, at)  # nor does the told window open before that
        here_lat, here_lon = stop.lat, stop.lon
        half = timedelta(seconds=half_window_s((eta - at).total_seconds(), index, config))
        start = max(floor, eta - half)
        out.append(StopEta(stop.stop_id, stop.order_id, eta, start, eta + half, index))
    return out
