"""Drone routes: one order flown out and back, timed and priced as the checker replays it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.domain.geo import haversine_m
from planner.domain.layout import capacity_units, demand_units, is_drone, span_limit
from planner.domain.loadplan import with_load_plan
from planner.domain.model import Order, PlanningProblem, Route, Vehicle, Visit
from planner.domain.travel import leg_for_vehicle


@dataclass(frozen=True)
class Flight:
    """One drone's route for one order and what it costs (fixed, per km, per hour)."""

    route: Route
    cost: float


def route_cost(v: Vehicle, route: Route) -> float:
    """A route's fixed, per-km and per-hour cost, as the objective prices it."""
    hours = (route.end - route.start) / 3600
    return v.fixed_cost + v.cost_per_km * route.distance_m / 1000 + v.cost_per_hour * hours


def _may_carry(problem: PlanningProblem, v: Vehicle, order: Order) -> bool:
    """Eligible, skilled, light and small enough (weight, volume, one parcel), and within the
    drone's radius of the depot."""
    need, cap = demand_units(order), capacity_units(v)
    far = haversine_m(problem.depot.location, order.location)
    return (
        order.drone_eligible
        and order.skills <= v.skills
        and need[0] <= cap[0]
        and need[1] <= cap[1]
        and need[2] <= cap[2]
        and (v.max_radius_m is None or far <= v.max_radius_m)
    )


def flight(problem: PlanningProblem, v: Vehicle, order: Order) -> Flight | None:
    """The drone's cheapest timing for the order alone (leaving as late as its window allows),
    or None where it may not carry the order or cannot serve it within window and shift."""
    if not is_drone(v) or v.breaks or not _may_carry(problem, v, order):
        return None
    depot = problem.depot
    home, away = v.start or depot.location, v.end or depot.location
    earliest = max(v.shift.start, depot.opening.start) if home == depot.location else v.shift.start
    latest = min(v.shift.end, depot.opening.end) if away == depot.location else v.shift.end
    loading = depot.loading_time if home == depot.location else 0
    # A drone with its own speed flies the same legs at any hour, so it leaves as late as the
    # window allows (a shorter span); one on the road profile leaves at once.
    depart = earliest + loading
    out_m, out_s = leg_for_vehicle(
        problem.travel, True, v.speed_mps, v.profile, home, order.location, depart
    )
    there = loading + math.ceil(out_s - 1e-9)
    for w in sorted(order.windows, key=lambda w: w.start):
        begin = max(w.start, earliest + there)
        if begin > w.end and not order.soft_windows:
            continue
        leave = begin + order.service_time
        back_m, back_s = leg_for_vehicle(
            problem.travel, True, v.speed_mps, v.profile, order.location, away, leave
        )
        start = begin - there if v.speed_mps else earliest
        end = leave + math.ceil(back_s - 1e-9)
        limit, span = v.distance_limit(), span_limit(v)
        if end > latest or (limit is not None and out_m + back_m > limit):
            return None
        if span is not None and end - start > span:
            return None
        late = max(0, begin - max(x.end for x in order.windows))
        visit = Visit(order.id, start + there, begin, leave, late)
        route = with_load_plan(Route(v.id, start, end, (visit,), (), round(out_m + back_m)), v)
        return Flight(route, route_cost(v, route) + late * order.lateness_cost_per_s)
    return None
