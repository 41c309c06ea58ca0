"""Solve a Solomon instance through `planner.domain.solver.solve` and check the plan."""

from __future__ import annotations

import time
from dataclasses import dataclass

from planner.domain.checker import check_plan, route_distance
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.solver import solve

from bench.planner.solomon import SCALE


@dataclass(frozen=True)
class Outcome:
    """A checked solution: routes as customer numbers, distance, time, violations."""

    routes: list[list[int]]
    distance: float
    seconds: float
    errors: list[str]
    unplaced: int


def solve_instance(problem: PlanningProblem, time_limit_s: float, seed: int = 0) -> Outcome:
    """The service's plan within the limit, with its distance and the checker's verdict."""
    started = time.monotonic()
    best = solve(problem, time_limit_s, seed)
    return Outcome(
        [[int(v.order_id) for v in r.visits] for r in best.routes if r.visits],
        plan_distance(problem, best),
        time.monotonic() - started,
        check_plan(problem, best),
        len(best.unplaced),
    )


def plan_distance(problem: PlanningProblem, result: PlanResult) -> float:
    """The plan's length in the instance's own units."""
    return sum(route_distance(problem, r) for r in result.routes) / SCALE
