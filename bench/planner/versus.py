"""`solve` against OR-Tools guided local search alone, at equal time, on generated depots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from planner.domain.checker import check_plan
from planner.domain.model import (
    Capacity,
    Location,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    VehicleKind,
)
from planner.domain.search import default_settings, solve_with
from planner.domain.solver import solve
from planner.domain.synthetic import generated_depot


def plan_cost(problem: PlanningProblem, result: PlanResult) -> float:
    """Fixed, per-km and per-hour cost of the routes, and soft-window orders' lateness (per
    second past their last window), recomputed from the plan."""
    fleet = {v.id: v for v in problem.vehicles}
    orders = {o.id: o for o in problem.orders}
    late = sum(
        orders[x.order_id].lateness_cost_per_s
        * max(0, x.start - max(w.end for w in orders[x.order_id].windows))
        for r in result.routes
        for x in r.visits
        if orders[x.order_id].soft_windows
    )
    return late + sum(
        fleet[r.vehicle_id].fixed_cost
        + fleet[r.vehicle_id].cost_per_km * r.distance_m / 1000
        + fleet[r.vehicle_id].cost_per_hour * (r.end - r.start) / 3600
        for r in result.routes
    )


HOUR = 3600
# A partner carrier's hub north-west of the generated depot.
HUB = Location(52.55, 13.30)


def mixed(day: PlanningProblem) -> PlanningProblem:
    """The day on a mixed fleet: vans with a fridge, EVs (range, smaller, cheaper per km),
    partner vans from their own hub on a shorter shift; every 20th order needs the fridge."""
    fleet = []
    for k, v in enumerate(day.vehicles):
        if k % 3 == 0:
            fleet.append(replace(v, skills=frozenset({"fridge"})))
        elif k % 3 == 1:
            ev = replace(v, kind=VehicleKind.EV, battery_range_m=90_000, cost_per_km=0.15)
            fleet.append(replace(ev, capacity=Capacity(600, 8, 80), fixed_cost=45))
        else:
            partner = replace(v, kind=VehicleKind.PARTNER, carrier_id="c1", start=HUB, end=HUB)
            fleet.append(replace(partner, shift=TimeWindow(9 * HOUR, 18 * HOUR), fixed_cost=90))
    orders = tuple(
        replace(o, skills=frozenset({"fridge"})) if i % 20 == 0 else o
        for i, o in enumerate(day.orders)
    )
    return replace(day, vehicles=tuple(fleet), orders=orders)


# Windows: every TWO_EVERY-th order two, 09-11 and 15-17; every SOFT_EVERY-th (of the rest) a
# soft window, lateness at the service's price (`service_layer.problem`).
TWO_EVERY = 4
SOFT_EVERY = 5
TWO = (TimeWindow(9 * HOUR, 11 * HOUR), TimeWindow(15 * HOUR, 17 * HOUR))
LATENESS_PER_S = 0.01


def several_and_soft(day: PlanningProblem) -> PlanningProblem:
    """The day with a quarter of its orders in two windows (09-11 or 15-17) and a fifth of the
    rest in their own window made soft."""
    orders = tuple(
        replace(o, windows=TWO)
        if i % TWO_EVERY == 0
        else replace(o, soft_windows=True, lateness_cost_per_s=LATENESS_PER_S)
        if i % SOFT_EVERY == 1
        else o
        for i, o in enumerate(day.orders)
    )
    return replace(day, orders=orders)


def print_row(name: str, problem: PlanningProblem, run: Callable[[], PlanResult]) -> bool:
    """Run one solver, print its vehicles, orders left out, cost and time; whether it checks."""
    result = run()
    errors = check_plan(problem, result)
    print(
        f"{name:<22}{len(result.routes):>6}{len(result.unplaced):>9}"
        f"{plan_cost(problem, result):>11.1f}{result.seconds:>7.1f}  {errors[:2] or 'ok'}",
        flush=True,
    )
    return not errors


def run_versus(
    sizes: list[int],
    time_limit_s: float,
    mixed_fleet: bool = False,
    breaks: bool = True,
    windows: bool = False,
    seeds: tuple[int, ...] = (0,),
) -> int:
    """Per size and seed: the generated depot (day seed 7, or 7 + seed past the first) with its
    vans' lunch breaks (without, unless `breaks`), on its vans or on a `mixed` fleet, with
    `several_and_soft` windows if `windows`; `solve` runs with the seed."""
    print(f"{'run':<22}{'vans':>6}{'unplaced':>9}{'cost':>11}{'secs':>7}  checked")
    ok = True
    for n in sizes:
        for seed in seeds:
            day = generated_depot(n, seed=7 + seed, breaks=breaks)
            day = mixed(day) if mixed_fleet else day
            day = several_and_soft(day) if windows else day
            settings = default_settings(n, time_limit_s)
            name = f"{n} stops" + (f" s{seed}" if len(seeds) > 1 else "")
            ok &= print_row(f"{name}, solve", day, lambda d=day, s=seed: solve(d, time_limit_s, s))
            ok &= print_row(f"{name}, OR-Tools", day, lambda d=day, s=settings: solve_with(d, s))
    return 0 if ok else 1
