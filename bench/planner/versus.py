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
    """Fixed, per-km and per-hour cost of the routes, recomputed from the plan."""
    fleet = {v.id: v for v in problem.vehicles}
    return sum(
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
    sizes: list[int], time_limit_s: float, mixed_fleet: bool = False, breaks: bool = True
) -> int:
    """Per size: the generated depot with its vans' lunch breaks (without, unless `breaks`),
    on its vans or on a `mixed` fleet."""
    print(f"{'run':<22}{'vans':>6}{'unplaced':>9}{'cost':>11}{'secs':>7}  checked")
    ok = True
    for n in sizes:
        day = generated_depot(n, breaks=breaks)
        day = mixed(day) if mixed_fleet else day
        settings = default_settings(n, time_limit_s)
        ok &= print_row(f"{n} stops, solve", day, lambda d=day: solve(d, time_limit_s, 0))
        ok &= print_row(f"{n} stops, OR-Tools", day, lambda d=day, s=settings: solve_with(d, s))
    return 0 if ok else 1
