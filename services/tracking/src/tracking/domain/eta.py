"""ETAs for the remaining stops: travel legs and service times at the driver's learned pace, in a
window sized from the day's measured error (a narrowing guess until enough is measured)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lastmile_common.geo import haversine_m

from tracking.domain.breaks import (
    UNPLANNED_BREAK_S,
    breaks_ahead,
    plan_waits,
    running_break_end,
    served_after,
)
from tracking.domain.eta_error import ErrorBook
from tracking.domain.pace import FleetPace, Pace, PaceConfig, driver_pace
from tracking.domain.progress import remaining
from tracking.domain.route import RouteState
from tracking.domain.service_start import service_start
from tracking.domain.travel import Travel


@dataclass(frozen=True, slots=True)
class EtaConfig:
    """How wide ETA windows are before errors are measured."""

    min_half_window_s: float = 300.0
    max_half_window_s: float = 3600.0
    window_fraction: float = 0.2  # of the time still to go: far stops get wide windows
    per_stop_s: float = 15.0  # every stop before yours adds uncertainty
    # A break the plan did not place, taken now: it lasts this long (a common statutory one).
    unplanned_break_s: float = UNPLANNED_BREAK_S
    # The promise near the door: a window told this close to the arrival is at most so wide
    # (measured on bench.eta: capping changed no hit, the error quantiles run wide there).
    near_s: float = 2400.0
    near_max_width_s: float = 1800.0


@dataclass(frozen=True, slots=True)
class StopEta:
    """When the vehicle is expected at one stop, with a window and how many stops come first."""

    stop_id: str
    order_id: str
    eta: datetime
    window_start: datetime
    window_end: datetime
    stops_away: int


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
    travel: Travel,
    config: EtaConfig,
    *,
    pace: Pace | None = None,
    errors: ErrorBook | None = None,
) -> list[StopEta]:
    """ETAs of every open stop of a route from the vehicle's position at time `at`.

    The legs come in one call for every remaining stop in the order the driver is expected to
    take them, then stretch by the driver's pace (learned from this route alone when none is
    given). Windows hold the measured error of ETAs as far ahead, where `errors` knows it.
    """
    if pace is None:
        pace = driver_pace([route], FleetPace(), at, PaceConfig())
    stops = remaining(route)
    legs = travel.legs(route, (lat, lon), stops, at) if stops else []
    clock, here = at, (lat, lon)
    out: list[StopEta] = []
    by_seq = {s.sequence: s for s in route.stops}
    planned, pending = list(route.breaks), breaks_ahead(route)
    resume = running_break_end(route, at, config.unplanned_break_s)
    keep_plan = False  # the plan's service starts hold only after a wait it scheduled
    for index, (stop, leg_s) in enumerate(zip(stops, legs, strict=True)):
        service = timedelta(seconds=stop.service_time_s * pace.service)
        waits = plan_waits(stop, by_seq.get(stop.sequence - 1), planned)
        keep_plan = keep_plan or waits  # a planned wait holds every stop after it
        if stop.stop_id == route.at_stop and stop.arrived_at is not None:
            eta = stop.arrived_at
            clock = max(at, service_start(stop, eta, keep_plan) + service)
            floor = at
        else:
            if resume is not None:  # on a break: nothing moves before it ends
                clock = max(clock, resume)
            while pending and served_after(stop, pending[0]):  # a break before this stop
                start, end = pending.pop(0)
                clock += end - start
            factor = pace.leg(haversine_m(*here, stop.lat, stop.lon), leg_s, clock, route.time_zone)
            # Early vans wait for the window (and a wait the plan scheduled): it carries onwards.
            eta = service_start(stop, clock + timedelta(seconds=leg_s * factor), keep_plan)
            clock = eta + service
            floor = service_start(stop, at, keep_plan)  # nor does the told window open before
        here = (stop.lat, stop.lon)
        before, after = _span((eta - at).total_seconds(), index, config, errors)
        start = max(floor, eta - timedelta(seconds=before))
        end = eta + timedelta(seconds=after)
        out.append(StopEta(stop.stop_id, stop.order_id, eta, start, end, index))
    return out


def _span(
    seconds_to_go: float, stops_away: int, config: EtaConfig, errors: ErrorBook | None
) -> tuple[float, float]:
    """Seconds the window reaches before and after the ETA."""
    measured = errors.span(seconds_to_go) if errors is not None else None
    if measured is None:
        half = half_window_s(seconds_to_go, stops_away, config)
        before, after = half, half
    else:
        cap = config.max_half_window_s
        before, after = min(cap, measured[0]), min(cap, measured[1])
    if seconds_to_go <= config.near_s and before + after > config.near_max_width_s:
        shrink = config.near_max_width_s / (before + after)  # both sides alike: same skew
        before, after = before * shrink, after * shrink
    return before, after
