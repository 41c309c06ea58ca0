"""Scaling run: generated depots of 100 to 5,000 stops on real-world-like geography."""

from __future__ import annotations

import random
import time

from planner.domain.checker import check_plan
from planner.domain.model import (
    Break,
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.solver import DECOMPOSE_ABOVE, SearchSettings, solve, solve_with
from planner.domain.travel import GreatCircleTravelTimes

HOUR = 3600
# A longer run shows how far the budgeted plan is from what more search finds.
LONG_FACTOR = 2


def generated_depot(stops: int, seed: int = 7) -> PlanningProblem:
    """A city depot with `stops` orders in 2-hour windows and a van fleet sized to fit."""
    rng = random.Random(seed)
    depot = Depot("berlin", Location(52.52, 13.405), TimeWindow(6 * HOUR, 22 * HOUR), 900)
    orders = []
    for i in range(stops):
        start = 9 * HOUR + rng.randrange(0, 8) * HOUR
        orders.append(
            Order(
                f"o{i}",
                Location(52.52 + rng.gauss(0, 0.05), 13.405 + rng.gauss(0, 0.08)),
                Capacity(rng.uniform(0.5, 15), rng.uniform(0.005, 0.08), 1),
                rng.choice((120, 180, 240)),
                (TimeWindow(start, start + 2 * HOUR),),
                priority=rng.choice((0, 0, 0, 1)),
            )
        )
    vans = max(3, stops // 33)
    fleet = tuple(
        Vehicle(
            f"van{k}",
            VehicleKind.VAN,
            Capacity(900, 12, 120),
            TimeWindow(8 * HOUR, 19 * HOUR),
            cost_per_km=0.4,
            cost_per_hour=28,
            fixed_cost=60,
            breaks=(Break(30 * 60, 12 * HOUR, 14 * HOUR),),
        )
        for k in range(vans)
    )
    return PlanningProblem(depot, fleet, tuple(orders), GreatCircleTravelTimes())


def _km(result: PlanResult) -> float:
    return sum(r.distance_m for r in result.routes) / 1000


def _first_feasible_seconds(problem: PlanningProblem, time_limit_s: float) -> float:
    started = time.monotonic()
    if len(problem.orders) > DECOMPOSE_ABOVE:
        # Sectors are planned one after another; the first full plan is the sector pass.
        solve(problem, time_limit_s * 0.2, 0)
    else:
        solve_with(problem, SearchSettings(time_limit_s, work_limit=1))
    return time.monotonic() - started


def run_scaling(sizes: list[int], time_limit_s: float) -> int:
    """Print, per size: first feasible time, plan at the budget, plan at a longer run."""
    print(
        f"{'stops':>6}{'vans':>6}{'first s':>9}{'budget s':>10}{'km':>9}{'unplaced':>9}"
        f"{'long s':>8}{'km':>9}{'unplaced':>9}  checked"
    )
    bad = 0
    for n in sizes:
        problem = generated_depot(n)
        first = _first_feasible_seconds(problem, time_limit_s)
        started = time.monotonic()
        budget = solve(problem, time_limit_s, 0)
        spent = time.monotonic() - started
        started = time.monotonic()
        long = solve(problem, time_limit_s * LONG_FACTOR, 0)
        long_spent = time.monotonic() - started
        errors = check_plan(problem, budget) + check_plan(problem, long)
        bad += bool(errors)
        print(
            f"{n:>6}{len(problem.vehicles):>6}{first:>9.1f}{spent:>10.1f}{_km(budget):>9.1f}"
            f"{len(budget.unplaced):>9}{long_spent:>8.1f}{_km(long):>9.1f}"
            f"{len(long.unplaced):>9}  {'ok' if not errors else errors[:3]}",
            flush=True,
        )
    return 1 if bad else 0
