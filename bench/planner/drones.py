"""`solve` against OR-Tools guided local search alone, at equal time, on generated days with
drones (`--versus --drones`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from planner.domain.geo import haversine_m
from planner.domain.model import (
    Capacity,
    Order,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.search import default_settings, solve_with
from planner.domain.solver import solve
from planner.domain.synthetic import generated_depot

from bench.planner.versus import print_row

HOUR = 3600
DRONES = 4
RADIUS_M = 7000
# Every third order within the drones' radius may fly; it weighs at most this much.
ELIGIBLE_EVERY = 3
PAYLOAD_KG = 4.0


def with_drones(day: PlanningProblem) -> PlanningProblem:
    """The day plus DRONES drones (5 kg, 54 km/h, RADIUS_M, cheap to fly) and every
    ELIGIBLE_EVERY-th order within their radius drone-eligible and light."""
    drones = tuple(
        Vehicle(
            f"drone{k}",
            VehicleKind.DRONE,
            Capacity(5, 0.05, 1),
            TimeWindow(8 * HOUR, 19 * HOUR),
            cost_per_km=0.05,
            cost_per_hour=6,
            fixed_cost=2,
            speed_mps=15,
            max_radius_m=RADIUS_M,
        )
        for k in range(DRONES)
    )
    orders = tuple(_maybe_flown(day, i, o) for i, o in enumerate(day.orders))
    return replace(day, vehicles=day.vehicles + drones, orders=orders)


def _maybe_flown(day: PlanningProblem, i: int, order: Order) -> Order:
    if i % ELIGIBLE_EVERY or haversine_m(day.depot.location, order.location) > RADIUS_M:
        return order
    light = replace(order.demand, weight_kg=min(order.demand.weight_kg, PAYLOAD_KG))
    return replace(order, drone_eligible=True, demand=light)


def _flights(problem: PlanningProblem, result: PlanResult) -> int:
    drones = {v.id for v in problem.vehicles if v.kind == VehicleKind.DRONE}
    return sum(r.vehicle_id in drones for r in result.routes)


def _recorded(run: Callable[[], PlanResult], seen: list[PlanResult]) -> Callable[[], PlanResult]:
    """`run`, keeping its plan in `seen`."""

    def recorded() -> PlanResult:
        seen.append(run())
        return seen[-1]

    return recorded


def run_drones(
    sizes: list[int], time_limit_s: float, seeds: list[int], vans: int | None = None
) -> int:
    """Per size and seed: the generated depot without breaks `with_drones`; on its first
    `vans` vans only if given (a day the vans cannot serve whole)."""
    print(f"{'run':<22}{'routes':>6}{'unplaced':>9}{'cost':>11}{'secs':>7}  checked")
    ok = True
    for n in sizes:
        for seed in seeds:
            day = generated_depot(n, seed, breaks=False)
            day = with_drones(replace(day, vehicles=day.vehicles[:vans]))
            settings = default_settings(n, time_limit_s)
            runs = {
                "solve": lambda d=day, s=seed: solve(d, time_limit_s, s),
                "OR-Tools": lambda d=day, s=settings: solve_with(d, s),
            }
            eligible = sum(o.drone_eligible for o in day.orders)
            for name, run in runs.items():
                seen: list[PlanResult] = []
                ok &= print_row(f"{n}/{seed}, {name}", day, _recorded(run, seen))
                print(f"{'':<22}drone flights {_flights(day, seen[-1])} of {eligible} eligible")
    return 0 if ok else 1
