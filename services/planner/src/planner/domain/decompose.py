"""Large days: split orders into sectors around the depot, solve each, then mend the borders.

A sector the compiled search models (`fleet_data.compiled_data`) gets it (`plain_search`), as
a day of its size would, and a sector with drones gets it around them (`drone_step`); other
sectors, and the border passes that start from the sectors' routes, get OR-Tools.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from planner.domain.drone_step import solve_with_drones
from planner.domain.fleet_data import compiled_data
from planner.domain.model import Order, PlanningProblem, PlanResult, Route, Unplaced, Vehicle
from planner.domain.plain_search import solve_plain
from planner.domain.search import default_settings, solve_with

SECTOR_SIZE = 400
# Share of the budget kept for re-solving pairs of neighbouring sectors together.
BORDER_SHARE = 0.3
MIN_SECONDS_PER_ORDER = 0.01


def _angle(problem: PlanningProblem, order: Order) -> float:
    d = problem.depot.location
    return math.atan2(order.location.lat - d.lat, order.location.lon - d.lon)


def split_sectors(
    problem: PlanningProblem, n_sectors: int, seed: int
) -> list[tuple[list[Vehicle], list[Order]]]:
    """Equal-size angular sectors of orders; vehicles dealt out by kind so each gets a mix."""
    by_angle = sorted(problem.orders, key=lambda o: (_angle(problem, o), o.id))
    # The seed only rotates where the first sector starts, so a run is reproducible.
    shift = seed % len(by_angle) if by_angle else 0
    by_angle = by_angle[shift:] + by_angle[:shift]
    size = math.ceil(len(by_angle) / n_sectors)
    fleet = sorted(problem.vehicles, key=lambda v: (v.kind, v.id))
    return [(fleet[k::n_sectors], by_angle[k * size : (k + 1) * size]) for k in range(n_sectors)]


def _solve_part(
    problem: PlanningProblem,
    vehicles: list[Vehicle],
    orders: list[Order],
    seconds: float,
    routes: list[Route] | None = None,
    seed: int = 0,
) -> PlanResult:
    part = replace(problem, vehicles=tuple(vehicles), orders=tuple(orders))
    initial = None
    if routes is None and orders:
        data = compiled_data(part)
        if data is not None:
            return solve_plain(part, data, seconds, seed, None)
        flown = solve_with_drones(part, seconds, seed, None)
        if flown is not None:
            return flown
    if routes is not None:
        index = {o.id: i for i, o in enumerate(orders)}
        by_vehicle = {r.vehicle_id: [index[v.order_id] for v in r.visits] for r in routes}
        initial = [by_vehicle.get(v.id, []) for v in vehicles]
    return solve_with(part, default_settings(len(orders), seconds), initial_routes=initial)


def solve_by_sectors(problem: PlanningProblem, time_limit_s: float, seed: int) -> PlanResult:
    """Plan a large day by sectors within `time_limit_s`, then improve across borders."""
    started = time.monotonic()
    n = max(1, min(len(problem.vehicles), math.ceil(len(problem.orders) / SECTOR_SIZE)))
    sectors = split_sectors(problem, n, seed)
    per_sector = time_limit_s * (1 - BORDER_SHARE) / n
    # Below this a sector may not even finish its first solution; overrunning beats failing.
    parts = [
        _solve_part(
            problem, vs, os, max(per_sector, 1.0 + MIN_SECONDS_PER_ORDER * len(os)), seed=seed
        )
        for vs, os in sectors
    ]
    state = [
        (vs, os, list(r.routes), list(r.unplaced))
        for (vs, os), r in zip(sectors, parts, strict=False)
    ]
    if n > 1:
        for k in range(n):
            left = time_limit_s - (time.monotonic() - started)
            if left < 1.0:
                break
            j = (k + 1) % n
            if j == k:
                break
            vs = state[k][0] + state[j][0]
            os = state[k][1] + state[j][1]
            merged = _solve_part(
                problem,
                vs,
                os,
                min(left, time_limit_s * BORDER_SHARE / n),
                state[k][2] + state[j][2],
            )
            before = len(state[k][3]) + len(state[j][3])
            if merged.status != "ok" or len(merged.unplaced) > before:
                continue  # Keep the sectors' own plans when the joint run did worse.
            mine = {v.id for v in state[k][0]}
            k_ids = {r.vehicle_id for r in merged.routes if r.vehicle_id in mine}
            k_orders = [o for o in os if _served_by(merged, o.id, k_ids)]
            j_orders = [o for o in os if o not in k_orders]
            k_routes = [r for r in merged.routes if r.vehicle_id in mine]
            j_routes = [r for r in merged.routes if r.vehicle_id not in mine]
            # Unplaced orders stay with the right-hand sector for the next border pass.
            state[k] = (state[k][0], k_orders, k_routes, [])
            state[j] = (state[j][0], j_orders, j_routes, list(merged.unplaced))
    routes = tuple(r for s in state for r in s[2])
    unplaced: tuple[Unplaced, ...] = tuple(u for s in state for u in s[3])
    notes = (f"decomposed into {n} sectors",)
    return PlanResult(routes, unplaced, 0.0, time.monotonic() - started, "ok", notes)


def _served_by(result: PlanResult, order_id: str, vehicle_ids: set[str]) -> bool:
    return any(
        r.vehicle_id in vehicle_ids and any(v.order_id == order_id for v in r.visits)
        for r in result.routes
    )
