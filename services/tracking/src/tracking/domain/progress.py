"""Route progress from clean fixes: start, arrival (geofence + dwell), departure, completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lastmile_common.geo import haversine_m

from tracking.domain.fixes import Fix
from tracking.domain.geo import metres_to_lat_deg, metres_to_lon_deg
from tracking.domain.route import RouteState, RouteStatus, StopState, StopStatus


@dataclass(frozen=True, slots=True)
class ProgressConfig:
    """Geofences and timings of progress detection."""

    depot_radius_m: float = 150.0
    stop_radius_m: float = 60.0
    dwell_s: float = 30.0
    depart_factor: float = 1.5  # leave a wider circle than the one entered: no flapping
    early_start_s: float = 3600.0
    approach_radius_m: float = 400.0
    same_place_m: float = 1.0  # stops this close are one address (orders sharing a door)


@dataclass(frozen=True, slots=True)
class RouteStarted:
    """The vehicle left the depot geofence."""

    at: datetime


@dataclass(frozen=True, slots=True)
class StopArrived:
    """The vehicle stayed inside a stop's geofence for the dwell time."""

    stop: StopState
    at: datetime
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class StopDeparted:
    """The vehicle left a stop it had arrived at."""

    stop: StopState
    at: datetime


@dataclass(frozen=True, slots=True)
class StopResolved:
    """A driver completed a stop: delivered or failed."""

    stop: StopState
    at: datetime


@dataclass(frozen=True, slots=True)
class RouteCompleted:
    """Every stop of the route is delivered or failed."""

    at: datetime
    delivered: int
    failed: int


Progress = RouteStarted | StopArrived | StopDeparted | StopResolved | RouteCompleted


def apply_fix(route: RouteState, fix: Fix, config: ProgressConfig) -> list[Progress]:
    """Advance a route with one accepted fix; return what happened."""
    if route.status is RouteStatus.PLANNED:
        if fix.time < route.start_time - timedelta(seconds=config.early_start_s):
            return []
        if haversine_m(fix.lat, fix.lon, route.depot_lat, route.depot_lon) <= config.depot_radius_m:
            return []
        route.status, route.started_at = RouteStatus.STARTED, fix.time
        return [RouteStarted(fix.time), *_follow(route, fix, config)]
    if route.status is RouteStatus.STARTED:
        return _follow(route, fix, config)
    return []


def _follow(route: RouteState, fix: Fix, config: ProgressConfig) -> list[Progress]:
    events: list[Progress] = []
    if route.at_stop is not None:
        here = route.stop(route.at_stop)
        if here is not None:
            far = config.stop_radius_m * config.depart_factor
            gone = haversine_m(fix.lat, fix.lon, here.lat, here.lon) > far
            if gone or _next_door(route, here, fix, config):
                route.at_stop = None
                here.departed_at = fix.time
                if here.status is StopStatus.ARRIVED:
                    here.status = StopStatus.DEPARTED
                events.append(StopDeparted(here, fix.time))
            else:
                return events
    inside, near = _nearby_pending(route, fix, config)
    route.heading_to = near.stop_id if near is not None else None
    if inside is None:
        route.candidate_stop, route.inside_since = None, None
        return events
    if route.candidate_stop != inside.stop_id or route.inside_since is None:
        route.candidate_stop, route.inside_since = inside.stop_id, fix.time
    if (fix.time - route.inside_since).total_seconds() >= config.dwell_s:
        arrived_at = route.inside_since
        inside.status, inside.arrived_at = StopStatus.ARRIVED, arrived_at
        route.at_stop, route.candidate_stop, route.inside_since = inside.stop_id, None, None
        route.last_visited_seq = inside.sequence
        events.append(StopArrived(inside, arrived_at, fix.lat, fix.lon))
    return events


def _next_door(route: RouteState, here: StopState, fix: Fix, config: ProgressConfig) -> bool:
    """Whether the van, done at `here`, already stands at the plan's next open stop (a few doors
    on, inside the wider circle it would otherwise have to leave first: that door's arrival
    was never seen). Only the next one: a driver still at the van is not at any door near."""
    if not here.resolved:
        return False
    following = [s for s in route.stops if s.status is StopStatus.PENDING]
    later = [s for s in following if s.sequence > here.sequence]
    if not following:
        return False
    door = min(later or following, key=lambda s: s.sequence)
    to_door = haversine_m(fix.lat, fix.lon, door.lat, door.lon)
    if to_door > config.stop_radius_m:  # that door's own geofence, whatever else is near
        return False
    # The van must have moved toward that door: a van parked at `here` is no nearer to a door
    # a few metres on, so it stays at `here` until it leaves the wider circle. Orders at one
    # address (the same point, give or take GPS rounding) are the exception: no move to see.
    if haversine_m(here.lat, here.lon, door.lat, door.lon) <= config.same_place_m:
        return True
    return to_door < haversine_m(fix.lat, fix.lon, here.lat, here.lon)


def _nearby_pending(
    route: RouteState, fix: Fix, config: ProgressConfig
) -> tuple[StopState | None, StopState | None]:
    """The pending stop whose geofence holds the fix, and the nearest pending one in approach.
    Stops at one address (equally near) go in plan order from the last one visited."""
    dlat = metres_to_lat_deg(config.approach_radius_m)
    dlon = metres_to_lon_deg(config.approach_radius_m, fix.lat)
    inside: StopState | None = None
    nearest: StopState | None = None
    best = config.approach_radius_m
    for stop in route.stops:
        # Cheap box test first: most stops are far away and need no trigonometry.
        if abs(stop.lat - fix.lat) > dlat or abs(stop.lon - fix.lon) > dlon:
            continue
        if stop.status is not StopStatus.PENDING:
            continue
        d = haversine_m(fix.lat, fix.lon, stop.lat, stop.lon)
        if nearest is None or d < best - config.same_place_m:
            if d <= best:
                best, nearest = d, stop
        elif d <= best + config.same_place_m and _first(route, stop, nearest):
            best, nearest = min(d, best), stop
    if nearest is not None and best <= config.stop_radius_m:
        inside = nearest
    return inside, nearest


def _first(route: RouteState, stop: StopState, other: StopState) -> bool:
    """Whether `stop` comes before `other` in plan order from the last stop visited."""

    def rank(s: StopState) -> tuple[bool, int]:
        return s.sequence <= route.last_visited_seq, s.sequence

    return rank(stop) < rank(other)


def resolve_stop(
    route: RouteState, stop: StopState, delivered: bool, at: datetime
) -> list[Progress]:
    """Record a driver's completion of a stop; complete the route when none is left."""
    stop.status = StopStatus.DELIVERED if delivered else StopStatus.FAILED
    stop.resolved_at = at
    route.last_visited_seq = max(route.last_visited_seq, stop.sequence)
    events: list[Progress] = []
    if route.status is RouteStatus.PLANNED:
        route.status, route.started_at = RouteStatus.STARTED, at
        events.append(RouteStarted(at))
    events.append(StopResolved(stop, at))
    if all(s.resolved for s in route.stops):
        route.status, route.completed_at = RouteStatus.COMPLETED, at
        route.at_stop = None
        done = sum(1 for s in route.stops if s.status is StopStatus.DELIVERED)
        events.append(RouteCompleted(at, done, len(route.stops) - done))
    return events


def remaining(route: RouteState) -> list[StopState]:
    """Open stops in the order the driver is expected to visit them, inferred from what they did."""
    current = route.stop(route.at_stop) if route.at_stop else None
    first = [current] if current is not None and not current.resolved else []
    heading = route.stop(route.heading_to) if route.heading_to else None
    if heading is not None and heading.status is StopStatus.PENDING:
        first.append(heading)
    pending = [s for s in route.stops if s.status is StopStatus.PENDING and s not in first]
    # A driver who jumped ahead carries on from there; skipped stops come at the end.
    ahead = [s for s in pending if s.sequence > route.last_visited_seq]
    behind = [s for s in pending if s.sequence <= route.last_visited_seq]
    return first + ahead + behind
