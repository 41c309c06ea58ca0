"""The plan's roads: matrices asked of the routing interface once per plan, profile and time
bucket, and each planned route's road geometry. Router calls block: run these in a thread."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polyline
from lastmile_common.routing import Point, Profile, Router

from planner.domain.layout import is_drone
from planner.domain.model import Location, PlanningProblem, Route
from planner.domain.road_travel import RoadTravelTimes
from planner.domain.travel import TravelMatrix
from planner.service_layer.clock import to_seconds, to_utc


def _locations(problem: PlanningProblem) -> tuple[Location, ...]:
    places = [problem.depot.location] + [o.location for o in problem.orders]
    for v in problem.vehicles:
        places += [p for p in (v.start, v.end) if p is not None]
    return tuple(dict.fromkeys(places))


def _span(problem: PlanningProblem) -> tuple[int, int]:
    """From the first possible departure to the last possible arrival of the plan."""
    starts = [problem.depot.opening.start] + [v.shift.start for v in problem.vehicles]
    ends = [problem.depot.opening.end] + [v.shift.end for v in problem.vehicles]
    ends += [w.end for o in problem.orders for w in o.windows]
    return min(starts), max(ends)


def _boundaries(router: Router, day: date, time_zone: str) -> tuple[tuple[int, str], ...]:
    """Where each time bucket starts, in the plan's seconds, from the day before to the day after."""
    traffic = router.traffic
    zone = ZoneInfo(traffic.timezone)
    found = []
    for offset in (-1, 0, 1, 2):
        local_day = day + timedelta(days=offset)
        for bucket in traffic.ordered():
            start = datetime.combine(local_day, bucket.start, tzinfo=zone)
            found.append((to_seconds(day, time_zone, start), bucket.name))
    return tuple(sorted(found))


def _profiles(problem: PlanningProblem) -> list[Profile]:
    kinds = {v.profile for v in problem.vehicles if not (is_drone(v) and v.speed_mps)}
    return sorted(kinds) or [Profile.CAR]


def on_roads(
    router: Router, problem: PlanningProblem, day: date, time_zone: str
) -> PlanningProblem:
    """The problem with road travel: one matrix per vehicle profile and time bucket it meets."""
    places = _locations(problem)
    points = [Point(p.lat, p.lon) for p in places]
    start_s, end_s = _span(problem)
    traffic = router.traffic
    departures = traffic.departures_between(
        to_utc(day, time_zone, start_s), to_utc(day, time_zone, end_s)
    )
    matrices: dict[tuple[Profile, str], TravelMatrix] = {}
    for profile in _profiles(problem):
        asked: TravelMatrix | None = None
        for departure in departures:
            bucket = traffic.bucket_at(departure).name
            if asked is None or profile in traffic.applies_to:  # else: one dataset for all
                asked = _travel_matrix(router, points, departure, profile)
            matrices[profile, bucket] = asked
    travel = RoadTravelTimes(places, _boundaries(router, day, time_zone), matrices)
    return replace(problem, travel=travel)


def _travel_matrix(
    router: Router, points: list[Point], departure: datetime, profile: Profile
) -> TravelMatrix:
    # OSRM's table wants two points at least (a re-plan may hold only the depot).
    asked = points if len(points) > 1 else points * 2
    road = router.matrix(asked, departure, profile)
    size, n = road.size, len(points)
    return TravelMatrix(
        np.frombuffer(road.distances_m).reshape(size, size)[:n, :n].copy(),
        np.frombuffer(road.durations_s).reshape(size, size)[:n, :n].copy(),
        np.array(road.snap_m[:n], dtype=np.float64),
    )


def route_geometry(
    router: Router, problem: PlanningProblem, route: Route, day: date, time_zone: str
) -> str:
    """The route's path from start to end as an encoded polyline (precision 5): on roads, or
    the straight flight of a drone."""
    v = next(x for x in problem.vehicles if x.id == route.vehicle_id)
    by_id = {o.id: o for o in problem.orders}
    stops = [v.start or problem.depot.location]
    stops += [by_id[x.order_id].location for x in route.visits]
    stops.append(v.end or problem.depot.location)
    if is_drone(v) and v.speed_mps:
        return str(polyline.encode([(p.lat, p.lon) for p in stops], 5))
    points = [Point(p.lat, p.lon) for p in stops]
    return router.route(points, to_utc(day, time_zone, route.start), v.profile).polyline


def route_geometries(
    router: Router, problem: PlanningProblem, routes: tuple[Route, ...], day: date, time_zone: str
) -> dict[str, str]:
    """Each route's geometry, by vehicle id."""
    return {r.vehicle_id: route_geometry(router, problem, r, day, time_zone) for r in routes}
