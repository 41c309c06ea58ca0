"""Days with drones: the vans' day through the compiled search, the drones' orders chosen
around it.

1. The vans (every vehicle but the drones) plan the day through the compiled search
   (`plain_search`) in FIRST_SHARE of the budget.
2. Orders the vans left out go to free drones first, highest priority first.
3. A day the vans cannot serve whole then gets OR-Tools on the whole fleet, drones included,
   in the rest of the budget: it weighs what to leave out by priority and may put a van's
   eligible order on a drone to make room for one only a van takes (`_whole_fleet`).
4. Else free drones take the eligible orders whose removal saves the vans the most, less the
   drone route's own cost (fixed, per km, per hour), while one saves; a van route that empties
   saves its fixed cost and all it drives. The compiled search re-plans the vans without the
   flown orders, from their routes less those orders, in the rest of the budget.
The better plan of 1+2 and 3 or 4 by the objective (orders left out by priority, then cost)
wins.
A drone carries one order per route (`drone_legs`). With a work limit both searches get it, so
the plan is the same on any machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from planner.domain.drone_legs import Flight, flight, route_cost
from planner.domain.explain import explain
from planner.domain.fleet_data import compiled_data
from planner.domain.layout import Layout, VehicleMatrices, build_layout, build_matrices, is_drone
from planner.domain.model import PlanningProblem, PlanResult, Route
from planner.domain.plain_search import solve_plain
from planner.domain.precheck import check_orders
from planner.domain.search import default_settings, solve_with

FIRST_SHARE = 0.2


@dataclass
class _Day:
    """The vans' side of the day: their problem, matrices, and routes as order indices."""

    vans: PlanningProblem
    layout: Layout
    mats: list[VehicleMatrices]
    routes: dict[int, list[int]]


def _saving(day: _Day, vi: int, k: int) -> float:
    """What taking the k-th stop off van vi's route saves (all of the route if it is alone)."""
    v, m, route = day.vans.vehicles[vi], day.mats[vi], day.routes[vi]
    nodes = [day.layout.starts[vi], *(day.layout.order_node(oi) for oi in route)]
    nodes.append(day.layout.ends[vi])
    p, c, n = nodes[k], nodes[k + 1], nodes[k + 2]
    shortcut = 0 if len(route) == 1 else 1
    metres = m.distance[p, c] + m.distance[c, n] - shortcut * m.distance[p, n]
    seconds = m.time[p, c] + m.time[c, n] - shortcut * m.time[p, n]
    fixed = v.fixed_cost if len(route) == 1 else 0.0
    return fixed + v.cost_per_km * float(metres) / 1000 + v.cost_per_hour * float(seconds) / 3600


def _options(problem: PlanningProblem, drones: list[int]) -> dict[int, list[tuple[int, Flight]]]:
    """Order index -> the drones that can fly it alone, cheapest first."""
    out: dict[int, list[tuple[int, Flight]]] = {}
    for oi, order in enumerate(problem.orders):
        if not order.drone_eligible:
            continue
        found = [(d, f) for d in drones if (f := flight(problem, problem.vehicles[d], order))]
        if found:
            out[oi] = sorted(found, key=lambda x: (x[1].cost, x[0]))
    return out


def _cheapest(options: list[tuple[int, Flight]], free: list[int]) -> tuple[int, Flight] | None:
    return next(((d, f) for d, f in options if d in free), None)


def _fly_left_out(
    problem: PlanningProblem,
    left: list[int],
    options: dict[int, list[tuple[int, Flight]]],
    free: list[int],
) -> dict[int, Flight]:
    """Orders the vans left out on free drones, highest priority first."""
    flown: dict[int, Flight] = {}
    for oi in sorted(left, key=lambda i: (-problem.orders[i].priority, i)):
        pick = _cheapest(options.get(oi, []), free)
        if pick is not None:
            free.remove(pick[0])
            flown[oi] = pick[1]
    return flown


def _fly_savings(
    day: _Day, options: dict[int, list[tuple[int, Flight]]], free: list[int]
) -> dict[int, Flight]:
    """Van orders moved to free drones, the biggest net saving first, while one saves."""
    moved: dict[int, Flight] = {}
    while free:
        best: tuple[float, int, int, int, Flight] | None = None
        for vi, route in day.routes.items():
            for k, oi in enumerate(route):
                pick = _cheapest(options.get(oi, []), free)
                if pick is None:
                    continue
                gain = _saving(day, vi, k) - pick[1].cost
                if best is None or gain > best[0]:
                    best = (gain, vi, k, pick[0], pick[1])
        if best is None or best[0] <= 0:
            break
        _, vi, k, d, f = best
        moved[day.routes[vi].pop(k)] = f
        free.remove(d)
    return moved


def _weighed(problem: PlanningProblem, routes: list[Route]) -> tuple[int, float]:
    """The objective of routes: orders left out (tenfold per priority level), then cost."""
    placed = {x.order_id for r in routes for x in r.visits}
    out = sum(10 ** max(0, o.priority) for o in problem.orders if o.id not in placed)
    fleet = {v.id: v for v in problem.vehicles}
    return out, sum(route_cost(fleet[r.vehicle_id], r) for r in routes)


def _plan(problem: PlanningProblem, routes: list[Route], cost: float, started: float) -> PlanResult:
    """The plan of these routes, every order they leave out explained on the whole fleet."""
    orders = list(problem.orders)
    layout = build_layout(problem, orders)
    fits = check_orders(problem, layout, build_matrices(problem, layout))
    placed = {x.order_id for r in routes for x in r.visits}
    unplaced = tuple(
        explain(problem, o, f) for o, f in zip(orders, fits, strict=True) if o.id not in placed
    )
    return PlanResult(tuple(routes), unplaced, cost, time.monotonic() - started, "ok")


def _budget_left(time_limit_s: float, started: float) -> float:
    """What is left of the budget, less a margin for reading the plan back."""
    return max(0.5, (time_limit_s - (time.monotonic() - started)) * 0.95 - 0.1)


def _whole_fleet(
    problem: PlanningProblem,
    base: list[Route],
    base_cost: float,
    budget: tuple[float, float],
    work_limit: int | None,
) -> PlanResult:
    """OR-Tools on the whole fleet, drones included; kept if it does better than `base`.

    For a day the vans cannot serve whole: OR-Tools weighs what to leave out by priority and
    may put a van's eligible order on a drone to make room for one only a van takes.
    `budget`: the whole step's time limit and when it started."""
    seconds, started = _budget_left(*budget), budget[1]
    settings = replace(default_settings(len(problem.orders), seconds), work_limit=work_limit)
    # From scratch: started from the vans' routes and flights, guided local search packed
    # fewer orders in the same time (docs/benchmarks.md, drone days).
    polished = solve_with(problem, settings)
    if _weighed(problem, list(polished.routes)) < _weighed(problem, base):
        return replace(polished, seconds=time.monotonic() - started)
    return _plan(problem, base, base_cost, started)


def solve_with_drones(
    problem: PlanningProblem, time_limit_s: float, seed: int, work_limit: int | None
) -> PlanResult | None:
    """Plan a day with drones around the compiled search; None where the compiled search does
    not model the vans' day, a drone takes breaks, or an order has soft windows (the drone
    step's savings do not price the vans' lateness): OR-Tools plans those."""
    started = time.monotonic()
    drones = [k for k, v in enumerate(problem.vehicles) if is_drone(v)]
    vans = replace(problem, vehicles=tuple(v for v in problem.vehicles if not is_drone(v)))
    data = compiled_data(vans) if vans.vehicles else None
    if data is None or not drones or any(problem.vehicles[d].breaks for d in drones):
        return None
    if any(o.soft_windows for o in problem.orders):
        return None
    first = solve_plain(vans, data, time_limit_s * FIRST_SHARE, seed, work_limit)
    day, flown, moved = _choose(problem, vans, drones, first)
    base = [*first.routes, *(f.route for f in flown.values())]
    base_cost = first.cost + sum(f.cost for f in flown.values())
    if first.unplaced:
        return _whole_fleet(problem, base, base_cost, (time_limit_s, started), work_limit)
    gone = set(flown) | set(moved)
    rest = replace(vans, orders=tuple(o for i, o in enumerate(vans.orders) if i not in gone))
    again = compiled_data(rest) if rest.orders else None
    if rest.orders and again is None:
        return _plan(problem, base, base_cost, started)
    flights = [*flown.values(), *moved.values()]
    van_routes: list[Route] = []
    van_cost = 0.0
    if again is not None:
        # The rest of the budget re-plans the vans from their routes, whether or not orders
        # moved to drones: the first search had less than half of it.
        initial = {
            vans.vehicles[k].id: [problem.orders[i].id for i in r] for k, r in day.routes.items()
        }
        left_s = _budget_left(time_limit_s, started)
        second = solve_plain(rest, again, left_s, seed, work_limit, initial)
        van_routes, van_cost = list(second.routes), second.cost
    other = [*van_routes, *(f.route for f in flights)]
    if _weighed(problem, other) < _weighed(problem, base):
        return _plan(problem, other, van_cost + sum(f.cost for f in flights), started)
    return _plan(problem, base, base_cost, started)


def _choose(
    problem: PlanningProblem, vans: PlanningProblem, drones: list[int], first: PlanResult
) -> tuple[_Day, dict[int, Flight], dict[int, Flight]]:
    """The vans' routes less the orders that fly; the flown orders the vans left out, and those
    moved off their routes."""
    index = {o.id: i for i, o in enumerate(problem.orders)}
    options, free = _options(problem, drones), list(drones)
    left = [index[u.order_id] for u in first.unplaced]
    flown = _fly_left_out(problem, left, options, free)
    layout = build_layout(vans, list(vans.orders))
    by_van = {r.vehicle_id: [index[x.order_id] for x in r.visits] for r in first.routes}
    routes = {k: by_van[v.id] for k, v in enumerate(vans.vehicles) if v.id in by_van}
    day = _Day(vans, layout, build_matrices(vans, layout), routes)
    return day, flown, {} if first.unplaced else _fly_savings(day, options, free)
