"""Independent feasibility check of a plan, recomputed from the problem data alone.

Deliberately shares nothing with the solver but the problem's own data and travel-time source:
every route is replayed leg by leg with the travel time of its actual departure.
"""

from __future__ import annotations

import itertools
from collections import Counter

from planner.domain.geo import haversine_m
from planner.domain.model import (
    Location,
    Order,
    PlanningProblem,
    PlanResult,
    Route,
    Vehicle,
    VehicleKind,
)
from planner.domain.travel import leg_for_vehicle

EPS = 1e-6


class PlanInfeasible(AssertionError):
    """Raised by `assert_feasible` with every violation found."""


def _leg(
    problem: PlanningProblem, v: Vehicle, a: Location, b: Location, t: float
) -> tuple[float, float]:
    drone = v.kind == VehicleKind.DRONE
    return leg_for_vehicle(problem.travel, drone, v.speed_mps, v.profile, a, b, int(t))


def _window_ok(order: Order, t: float) -> bool:
    if order.soft_windows:
        return t + EPS >= min(w.start for w in order.windows)
    return any(w.start - EPS <= t <= w.end + EPS for w in order.windows)


def _check_loads(v: Vehicle, orders: list[Order], problem: PlanningProblem) -> list[str]:
    errors = []
    total_w = sum(o.demand.weight_kg for o in orders)
    total_v = sum(o.demand.volume_m3 for o in orders)
    total_p = sum(o.demand.parcels for o in orders)
    if total_w > v.capacity.weight_kg + EPS:
        errors.append(f"{v.id}: weight {total_w} > {v.capacity.weight_kg}")
    if total_v > v.capacity.volume_m3 + EPS:
        errors.append(f"{v.id}: volume {total_v} > {v.capacity.volume_m3}")
    if v.kind != VehicleKind.DRONE and total_p > v.capacity.parcels:
        errors.append(f"{v.id}: parcels {total_p} > {v.capacity.parcels}")
    for o in orders:
        if not o.skills <= v.skills:
            errors.append(f"{v.id}: lacks skills {sorted(o.skills - v.skills)} for {o.id}")
    if v.kind == VehicleKind.DRONE:
        if len(orders) > 1:
            errors.append(f"{v.id}: a drone carries one order, got {len(orders)}")
        for o in orders:
            if not o.drone_eligible:
                errors.append(f"{v.id}: {o.id} is not drone-eligible")
            if o.demand.parcels > 1:
                errors.append(f"{v.id}: a drone carries one parcel, {o.id} is {o.demand.parcels}")
            far = haversine_m(problem.depot.location, o.location)
            if v.max_radius_m is not None and far > v.max_radius_m + EPS:
                errors.append(f"{v.id}: {o.id} is {far:.0f} m out, radius {v.max_radius_m}")
    return errors


def _check_times(
    problem: PlanningProblem, v: Vehicle, route: Route, served: frozenset[str]
) -> list[str]:
    depot = problem.depot
    errors = []
    start_at = v.start or depot.location
    end_at = v.end or depot.location
    earliest = max(v.shift.start, depot.opening.start) if start_at == depot.location else 0
    latest = min(v.shift.end, depot.opening.end) if end_at == depot.location else v.shift.end
    if route.start < max(earliest, v.shift.start) or route.end > latest:
        errors.append(f"{v.id}: route {route.start}-{route.end} outside shift/opening")
    services = [(x.start, x.start + (x.departure - x.start)) for x in route.visits]
    for pause in route.breaks:
        if any(
            pause.start < s_end and s_start < pause.start + pause.duration
            for s_start, s_end in services
        ):
            errors.append(f"{v.id}: break at {pause.start} overlaps a service")
    wanted = sorted(v.breaks, key=lambda b: b.earliest_start)
    taken = sorted(route.breaks, key=lambda b: b.start)
    if len(wanted) != len(taken):
        errors.append(f"{v.id}: {len(taken)} breaks taken, {len(wanted)} required")
    for w, k in zip(wanted, taken, strict=False):
        if not (w.earliest_start <= k.start <= w.latest_start) or k.duration < w.duration:
            errors.append(f"{v.id}: break at {k.start} outside its window or too short")
    loading = depot.loading_time if start_at == depot.location else 0
    t, here, distance = float(route.start + loading), start_at, 0.0
    by_id = {o.id: o for o in problem.orders}
    stops = [(by_id[x.order_id].location, x) for x in route.visits]
    for place, visit in [*stops, (end_at, None)]:
        d, dur = _leg(problem, v, here, place, t)
        distance += d
        arrive_by = route.end if visit is None else visit.start
        pauses = sum(b.duration for b in route.breaks if t - EPS <= b.start < arrive_by)
        if arrive_by + EPS < t + dur + pauses:
            errors.append(f"{v.id}: cannot reach {visit.order_id if visit else 'end'} in time")
        if visit is not None:
            order = by_id[visit.order_id]
            if order.id not in served and not _window_ok(order, visit.start):
                errors.append(f"{v.id}: {order.id} served at {visit.start} outside its windows")
            t, here = float(visit.start + order.service_time), place
            if visit.departure != visit.start + order.service_time:
                errors.append(f"{v.id}: {order.id} service time not respected")
    limit = v.distance_limit()
    if limit is not None and distance > limit + EPS:
        errors.append(f"{v.id}: distance {distance:.0f} m > limit {limit}")
    span = route.end - route.start
    if v.max_route_duration is not None and span > v.max_route_duration:
        errors.append(f"{v.id}: route lasts {span} s > {v.max_route_duration}")
    inside = sum(b.duration for b in route.breaks if route.start <= b.start < route.end)
    if v.max_working_time is not None and span - inside > v.max_working_time:
        errors.append(f"{v.id}: works {span - inside} s > {v.max_working_time}")
    return errors


def check_plan(
    problem: PlanningProblem, result: PlanResult, served: frozenset[str] = frozenset()
) -> list[str]:
    """Every violation of the problem's rules found in the plan (empty list: feasible).

    `served`: a re-plan's locked stops; when they were served is history, not a plan, so their
    windows are not checked (a late van served them late); the rest of the route still is.
    """
    errors: list[str] = []
    orders = {o.id: o for o in problem.orders}
    vehicles = {v.id: v for v in problem.vehicles}
    routed = Counter(x.order_id for r in result.routes for x in r.visits)
    unplaced = Counter(u.order_id for u in result.unplaced)
    for oid in orders:
        if routed[oid] + unplaced[oid] != 1:
            errors.append(f"order {oid}: routed {routed[oid]}x, unplaced {unplaced[oid]}x")
    errors += [f"unknown order {x}" for x in (set(routed) | set(unplaced)) - set(orders)]
    for vid, n in Counter(r.vehicle_id for r in result.routes).items():
        if vid not in vehicles:
            errors.append(f"unknown vehicle {vid}")
        elif n > 1:
            errors.append(f"vehicle {vid} has {n} routes")
    for route in result.routes:
        v = vehicles.get(route.vehicle_id)
        if v is None or any(x.order_id not in orders for x in route.visits):
            continue
        errors += _check_loads(v, [orders[x.order_id] for x in route.visits], problem)
        errors += _check_times(problem, v, route, served)
    return errors


def route_distance(problem: PlanningProblem, route: Route) -> float:
    """Distance of a route in metres, recomputed leg by leg."""
    v = next(x for x in problem.vehicles if x.id == route.vehicle_id)
    by_id = {o.id: o for o in problem.orders}
    points = [v.start or problem.depot.location]
    points += [by_id[x.order_id].location for x in route.visits]
    points.append(v.end or problem.depot.location)
    t = float(route.start)
    return sum(_leg(problem, v, a, b, t)[0] for a, b in itertools.pairwise(points))


def assert_feasible(problem: PlanningProblem, result: PlanResult) -> None:
    """Raise `PlanInfeasible` listing every violation, if there is any."""
    errors = check_plan(problem, result)
    if errors:
        raise PlanInfeasible("; ".join(errors[:20]))
