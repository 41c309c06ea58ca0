"""The side-by-side of issue 12: one generated day of 300 orders on the map, planned on straight
lines and planned on roads, both replayed on roads (km, hours, stops late).

Both plans go through the entry points the planner service calls: `on_roads` (the plan's road
matrices, once per profile and time bucket) and `solve`. The straight-line plan is the same
problem with the great-circle estimate the planner used before roads. The replay drives each
route's stops in the planned order on roads, each leg at the time of the bucket it departs in,
waiting for a window to open, and counts what a driver would see.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from lastmile_common.routing import Router
from planner.domain.checker import check_plan
from planner.domain.layout import is_drone
from planner.domain.model import (
    BreakTaken,
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    PlanResult,
    TimeWindow,
)
from planner.domain.solver import solve
from planner.domain.synthetic import vans
from planner.domain.travel import GreatCircleTravelTimes, leg_for_vehicle
from planner.service_layer.roads import on_roads

from lastmile.demo.places import DEPOT_LOCATION, TIME_ZONE, random_place

HOUR = 3600
DAY = date(2026, 12, 1)  # a Tuesday


def day_on_the_map(orders: int, seed: int) -> PlanningProblem:
    """A depot's day: `orders` addresses on real streets of the map in 2-hour windows, vans."""
    rng = random.Random(seed)
    depot = Depot("schaan-hub", Location(*DEPOT_LOCATION), TimeWindow(6 * HOUR, 21 * HOUR), 900)
    placed = []
    for i in range(orders):
        place = random_place(rng)
        start = 8 * HOUR + rng.randrange(0, 9) * HOUR
        placed.append(
            Order(
                f"o{i}",
                Location(place.lat, place.lon),
                Capacity(rng.uniform(0.5, 15), rng.uniform(0.005, 0.08), 1),
                rng.choice((120, 180, 240)),
                (TimeWindow(start, start + 2 * HOUR),),
            )
        )
    fleet = vans(max(3, orders // 40))
    return PlanningProblem(depot, fleet, tuple(placed), GreatCircleTravelTimes())


@dataclass
class Replayed:
    """What driving a plan on roads gives."""

    km: float = 0.0
    hours: float = 0.0
    stops: int = 0
    late: int = 0
    late_minutes: float = 0.0


def replay(on_roads_problem: PlanningProblem, result: PlanResult) -> Replayed:
    """Drive every route in its planned order on roads; each break taken once its planned start
    has come (on the way, or while waiting for a window)."""
    vehicles = {v.id: v for v in on_roads_problem.vehicles}
    orders = {o.id: o for o in on_roads_problem.orders}
    depot = on_roads_problem.depot
    total = Replayed()
    for route in result.routes:
        v = vehicles[route.vehicle_id]
        t, here = float(route.start + depot.loading_time), depot.location
        pauses = sorted(route.breaks, key=lambda b: b.start)
        for visit in [*route.visits, None]:
            there = depot.location if visit is None else orders[visit.order_id].location
            metres, seconds = leg_for_vehicle(
                on_roads_problem.travel, is_drone(v), v.speed_mps, v.profile, here, there, int(t)
            )
            total.km += metres / 1000
            t, pauses = _pause(t + seconds, pauses)  # breaks due on the way
            if visit is None:
                break
            order = orders[visit.order_id]
            window = order.windows[0]
            t, pauses = _pause(max(t, window.start), pauses, waiting_from=t)
            if t > window.end:
                total.late += 1
                total.late_minutes += (t - window.end) / 60
            t += order.service_time
            total.stops += 1
            here = there
        total.hours += (t - route.start) / HOUR
    return total


def _pause(
    t: float, pauses: list[BreakTaken], waiting_from: float | None = None
) -> tuple[float, list[BreakTaken]]:
    """The time once the breaks due by `t` are taken (a break due while waiting, from
    `waiting_from` to `t`, fits in the wait when it can), and the breaks left."""
    left = []
    for pause in pauses:
        if pause.start > t:
            left.append(pause)
        elif waiting_from is not None:
            t = max(t, max(pause.start, waiting_from) + pause.duration)
        else:
            t += pause.duration
    return t, left


def _figures(problem: PlanningProblem, result: PlanResult, driven: Replayed) -> dict[str, Any]:
    return {
        # The planner's independent checker, on roads: how many of its rules the plan breaks.
        "checker_violations_on_roads": len(check_plan(problem, result)),
        "routes": len(result.routes),
        "unassigned": len(result.unplaced),
        "planned_km": round(sum(r.distance_m for r in result.routes) / 1000, 1),
        "planned_hours": round(sum(r.end - r.start for r in result.routes) / HOUR, 2),
        "solve_s": round(result.seconds, 1),
        "on_roads": {
            "km": round(driven.km, 1),
            "hours": round(driven.hours, 2),
            "stops": driven.stops,
            "stops_late": driven.late,
            "minutes_late": round(driven.late_minutes),
        },
    }


def side_by_side(
    router: Router, orders: int = 300, time_limit_s: float = 20.0, seed: int = 12
) -> dict[str, Any]:
    """Straight-line plan vs road plan of one generated day, both replayed on `router`'s roads."""
    day = day_on_the_map(orders, seed)
    roads = on_roads(router, day, DAY, TIME_ZONE)
    straight_plan = solve(replace(day, travel=GreatCircleTravelTimes()), time_limit_s, 0)
    road_plan = solve(roads, time_limit_s, 0)
    return {
        "orders": orders,
        "service_date": DAY.isoformat(),
        "time_limit_s": time_limit_s,
        "straight_line_plan": _figures(roads, straight_plan, replay(roads, straight_plan)),
        "road_plan": _figures(roads, road_plan, replay(roads, road_plan)),
    }
