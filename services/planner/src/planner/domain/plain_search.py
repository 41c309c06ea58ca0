"""The search for plain VRPTW days: OR-Tools start, compiled ruin and recreate, OR-Tools polish.

Shares of the budget: the OR-Tools start ends at FIRST_SHARE, route removal (`fewer_routes`)
at FEWER_UNTIL, distance (`shorten`) at SHORTEN_UNTIL; OR-Tools then polishes the routes it is
handed and reads them back as timed routes. With a work limit every phase also has a work
budget (solutions for OR-Tools, STEPS_PER_WORK ruin-and-recreate steps per unit for the compiled
phases), so a limit that binds before the clock gives the same plan on any machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.ruin_recreate import fewer_routes, shorten
from planner.domain.search import SearchSettings, solve_with
from planner.domain.vrptw_data import Vrptw

FIRST_SHARE = 0.05
FEWER_UNTIL = 0.3
SHORTEN_UNTIL = 0.97
# Ruin-and-recreate steps per unit of work limit; route removal gets a quarter of them.
STEPS_PER_WORK = 40


@dataclass(frozen=True)
class _Budget:
    """Where the run started, how long it may take, and its work limit if any."""

    started: float
    time_limit_s: float
    work_limit: int | None

    def until(self, share: float) -> float:
        return self.started + self.time_limit_s * share

    def left(self) -> float:
        return self.time_limit_s - (time.monotonic() - self.started)


def _attempt(
    problem: PlanningProblem, budget: _Budget, seconds: float, initial: list[list[int]] | None
) -> PlanResult:
    """One OR-Tools search; `initial` routes hold order indices."""
    seed = None
    if initial is not None:
        seed = initial + [[] for _ in range(len(problem.vehicles) - len(initial))]
    return solve_with(problem, SearchSettings(seconds, budget.work_limit), initial_routes=seed)


def _improve(data: Vrptw, routes: list[list[int]], budget: _Budget, seed: int) -> list[list[int]]:
    """Fewer routes, then shorter ones; routes as nodes (order index + 1)."""
    per_phase = None if budget.work_limit is None else budget.work_limit * STEPS_PER_WORK
    fleet_steps = None if per_phase is None else max(1, per_phase // 4)
    routes = fewer_routes(data, routes, budget.until(FEWER_UNTIL), seed, fleet_steps)
    return shorten(data, routes, budget.until(SHORTEN_UNTIL), seed, per_phase)


def _with_fixed_costs(problem: PlanningProblem, result: PlanResult) -> PlanResult:
    fixed = {v.id: v.fixed_cost for v in problem.vehicles}
    cost = result.cost + sum(fixed[r.vehicle_id] for r in result.routes)
    return replace(result, cost=cost)


def solve_plain(
    problem: PlanningProblem, data: Vrptw, time_limit_s: float, seed: int, work_limit: int | None
) -> PlanResult:
    """Fewest vehicles, then shortest distance, for a day `plain_vrptw` turned into `data`."""
    budget = _Budget(time.monotonic(), time_limit_s, work_limit)
    # A work limit must end the start, not the clock: give it up to route removal's deadline.
    share = FIRST_SHARE if work_limit is None else FEWER_UNTIL
    first = _attempt(problem, budget, time_limit_s * share, None)
    index = {o.id: i for i, o in enumerate(problem.orders)}
    if first.unplaced or first.status != "ok":
        # More orders than the fleet can take: ruin and recreate only works on complete plans,
        # so OR-Tools, which weighs what to leave out by priority, keeps the whole budget.
        routes = [[index[v.order_id] for v in r.visits] for r in first.routes]
        return _attempt(problem, budget, max(0.5, budget.left()), routes or None)
    start = [[index[v.order_id] + 1 for v in r.visits] for r in first.routes if r.visits]
    routes = [[c - 1 for c in r] for r in _improve(data, start, budget, seed)]
    # Only as many vehicles as routes, so the polish cannot open another one; and no fixed
    # cost: OR-Tools adds it to a route's first arc, where guided local search would then spend
    # its penalties instead of on the arcs that make the distance.
    fleet = tuple(replace(v, fixed_cost=0.0) for v in problem.vehicles[: len(routes)])
    polished = _attempt(replace(problem, vehicles=fleet), budget, max(0.5, budget.left()), routes)
    if polished.unplaced or polished.status != "ok" or len(polished.routes) > len(routes):
        return first
    done = _with_fixed_costs(problem, polished)
    return replace(done, seconds=time.monotonic() - budget.started)
