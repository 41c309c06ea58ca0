"""Solve a Solomon instance: insertion + guided local search, then try to drop vehicles."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

from planner.domain.checker import check_plan, route_distance
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.solver import SearchSettings, solve_with

from bench.planner.solomon import SCALE

FIRST_SHARE = 0.3
REDUCE_SHARE = 0.2


@dataclass(frozen=True)
class Outcome:
    """A checked solution: routes as customer numbers, distance, time, violations."""

    routes: list[list[int]]
    distance: float
    seconds: float
    errors: list[str]
    unplaced: int


def _routes(result: PlanResult) -> list[list[str]]:
    return [[v.order_id for v in r.visits] for r in result.routes if r.visits]


def _attempt(
    problem: PlanningProblem, seconds: float, initial: list[list[str]] | None
) -> PlanResult:
    index = {o.id: i for i, o in enumerate(problem.orders)}
    seed = None
    if initial is not None:
        seed = [[index[o] for o in r] for r in initial]
        seed += [[] for _ in range(len(problem.vehicles) - len(seed))]
    return solve_with(problem, SearchSettings(seconds), initial_routes=seed)


def solve_instance(problem: PlanningProblem, time_limit_s: float) -> Outcome:
    """Best plan within the limit: fewest vehicles first, then shortest distance."""
    started = time.monotonic()
    best = _attempt(problem, time_limit_s * FIRST_SHARE, None)
    failures = 0
    floor = _capacity_floor(problem)
    while failures < 3 and not best.unplaced and len(best.routes) > floor:
        left = time_limit_s - (time.monotonic() - started)
        if left < time_limit_s * 0.15:
            break
        routes = sorted(_routes(best), key=len)
        # Remove one short route; its customers must find room in the others.
        kept = routes[:failures] + routes[failures + 1 :]
        # Only as many vehicles as routes kept, so the removed customers cannot open a new one.
        fewer = replace(problem, vehicles=problem.vehicles[: len(kept)])
        try_result = _attempt(fewer, min(left, time_limit_s * REDUCE_SHARE), kept)
        if not try_result.unplaced and len(try_result.routes) < len(best.routes):
            best, failures = try_result, 0
        else:
            failures += 1
    left = time_limit_s - (time.monotonic() - started)
    if left > 0.5:
        fewer = replace(problem, vehicles=problem.vehicles[: len(best.routes)])
        polished = _attempt(fewer, left, _routes(best))
        if (
            len(polished.unplaced) <= len(best.unplaced)
            and len(polished.routes) <= len(best.routes)
            and _distance(problem, polished) < _distance(problem, best)
        ):
            best = polished
    return Outcome(
        [[int(o) for o in r] for r in _routes(best)],
        _distance(problem, best),
        time.monotonic() - started,
        check_plan(problem, best),
        len(best.unplaced),
    )


def _capacity_floor(problem: PlanningProblem) -> int:
    """No plan can use fewer vehicles than total demand over one vehicle's capacity."""
    capacity = max(1, problem.vehicles[0].capacity.parcels)
    return max(1, math.ceil(sum(o.demand.parcels for o in problem.orders) / capacity))


def _distance(problem: PlanningProblem, result: PlanResult) -> float:
    return sum(route_distance(problem, r) for r in result.routes) / SCALE
