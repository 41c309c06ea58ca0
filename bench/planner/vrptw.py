"""Solve a Solomon instance: OR-Tools start, ruin and recreate for routes, then for distance."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from planner.domain.checker import check_plan, route_distance
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.ruin_recreate import fewer_routes, shorten
from planner.domain.search import SearchSettings, solve_with
from planner.domain.vrptw_data import plain_vrptw

from bench.planner.solomon import SCALE

# Shares of the budget: the first OR-Tools plan ends at FIRST_SHARE, route removal at
# FEWER_UNTIL, distance at SHORTEN_UNTIL; OR-Tools then polishes and reads the plan back.
FIRST_SHARE = 0.05
FEWER_UNTIL = 0.3
SHORTEN_UNTIL = 0.97


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


def _ruin_and_recreate(
    problem: PlanningProblem, plan: PlanResult, started: float, limit: float
) -> list[list[str]]:
    data = plain_vrptw(problem)
    if data is None:
        return _routes(plan)
    node = {o.id: i + 1 for i, o in enumerate(problem.orders)}
    routes = [[node[o] for o in r] for r in _routes(plan)]
    routes = fewer_routes(data, routes, started + limit * FEWER_UNTIL)
    routes = shorten(data, routes, started + limit * SHORTEN_UNTIL)
    return [[problem.orders[c - 1].id for c in r] for r in routes]


def solve_instance(problem: PlanningProblem, time_limit_s: float) -> Outcome:
    """Best plan within the limit: fewest vehicles first, then shortest distance."""
    started = time.monotonic()
    best = _attempt(problem, time_limit_s * FIRST_SHARE, None)
    if not best.unplaced:
        routes = _ruin_and_recreate(problem, best, started, time_limit_s)
        # Only as many vehicles as routes, so the polish cannot open another one; and no fixed
        # cost: OR-Tools adds it to a route's first arc, where guided local search would then
        # spend its penalties instead of on the arcs that make the distance.
        fleet = tuple(replace(v, fixed_cost=0.0) for v in problem.vehicles[: len(routes)])
        fewer = replace(problem, vehicles=fleet)
        left = time_limit_s - (time.monotonic() - started)
        polished = _attempt(fewer, max(0.5, left), routes)
        if not polished.unplaced and len(polished.routes) <= len(routes):
            best = polished
    return Outcome(
        [[int(o) for o in r] for r in _routes(best)],
        _distance(problem, best),
        time.monotonic() - started,
        check_plan(problem, best),
        len(best.unplaced),
    )


def _distance(problem: PlanningProblem, result: PlanResult) -> float:
    return sum(route_distance(problem, r) for r in result.routes) / SCALE
