"""Scaling run: generated depots of 100 to 5,000 stops on real-world-like geography."""

from __future__ import annotations

import time
from dataclasses import replace

from planner.domain.checker import check_plan
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.solver import DECOMPOSE_ABOVE, solve
from planner.domain.synthetic import generated_depot

# A longer run shows how far the budgeted plan is from what more search finds.
LONG_FACTOR = 2


def _km(result: PlanResult) -> float:
    return sum(r.distance_m for r in result.routes) / 1000


def _first_feasible_seconds(problem: PlanningProblem, time_limit_s: float) -> float:
    started = time.monotonic()
    if len(problem.orders) > DECOMPOSE_ABOVE:
        # Sectors are planned one after another; the first full plan is the sector pass.
        solve(problem, time_limit_s * 0.2, 0)
    else:
        solve(problem, time_limit_s, 0, work_limit=1)
    return time.monotonic() - started


def _depot(n: int, breaks: bool) -> PlanningProblem:
    """The generated depot; without breaks its vans are a day the compiled search models."""
    problem = generated_depot(n)
    if breaks:
        return problem
    return replace(problem, vehicles=tuple(replace(v, breaks=()) for v in problem.vehicles))


def run_scaling(
    sizes: list[int], time_limit_s: float, long_factor: float = LONG_FACTOR, breaks: bool = True
) -> int:
    """Print, per size: first feasible time, plan at the budget, plan at a longer run (none
    with `long_factor` 0)."""
    print(
        f"{'stops':>6}{'vans':>6}{'first s':>9}{'budget s':>10}{'km':>9}{'unplaced':>9}"
        f"{'long s':>8}{'km':>9}{'unplaced':>9}  checked"
    )
    bad = 0
    for n in sizes:
        problem = _depot(n, breaks)
        first = _first_feasible_seconds(problem, time_limit_s)
        started = time.monotonic()
        budget = solve(problem, time_limit_s, 0)
        spent = time.monotonic() - started
        started = time.monotonic()
        long = solve(problem, time_limit_s * long_factor, 0) if long_factor else budget
        long_spent = time.monotonic() - started
        errors = check_plan(problem, budget) + (check_plan(problem, long) if long_factor else [])
        bad += bool(errors)
        print(
            f"{n:>6}{len(problem.vehicles):>6}{first:>9.1f}{spent:>10.1f}{_km(budget):>9.1f}"
            f"{len(budget.unplaced):>9}{long_spent:>8.1f}{_km(long):>9.1f}"
            f"{len(long.unplaced):>9}  {'ok' if not errors else errors[:3]}",
            flush=True,
        )
    return 1 if bad else 0
