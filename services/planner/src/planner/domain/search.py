"""One OR-Tools routing search on one model: the search settings and `solve_with`.

Determinism: the routing search runs in one thread, the first solution (parallel cheapest
insertion) and guided local search make no random choices, and the model is built in a fixed
order, so the same problem explored for the same number of solutions gives the same plan. The
one wall-clock dependence is the time limit: set `SearchSettings.work_limit` to make the work
budget bind first for bit-identical runs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.domain.explain import explain
from planner.domain.layout import COST_SCALE, build_layout, build_matrices
from planner.domain.model import PlanningProblem, PlanResult, Unplaced
from planner.domain.precheck import check_orders
from planner.domain.routing_model import build_model
from planner.domain.solution import read_routes


@dataclass(frozen=True)
class SearchSettings:
    """Search knobs; `work_limit` (solutions explored) makes runs repeatable."""

    time_limit_s: float
    work_limit: int | None = None
    first_solution: int = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    neighbors_ratio: float = 1.0


def search_parameters(settings: SearchSettings) -> pywrapcp.DefaultRoutingSearchParameters:
    """OR-Tools parameters: insertion start, guided local search, one worker, limits."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = settings.first_solution
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(settings.time_limit_s * 1000)))
    if settings.work_limit is not None:
        params.solution_limit = settings.work_limit
    if settings.neighbors_ratio < 1.0:
        params.ls_operator_neighbors_ratio = settings.neighbors_ratio
        params.ls_operator_min_neighbors = 20
    return params


def default_settings(n_orders: int, time_limit_s: float) -> SearchSettings:
    """Settings scaled to the plan's size: big plans look at fewer neighbours per move."""
    ratio = 1.0 if n_orders <= 200 else max(0.05, 40 / n_orders)
    return SearchSettings(time_limit_s, neighbors_ratio=ratio)


def solve_with(
    problem: PlanningProblem,
    settings: SearchSettings,
    locks: Mapping[int, Sequence[int]] | None = None,
    not_before: int = 0,
    initial_routes: Sequence[Sequence[int]] | None = None,
    began: Mapping[int, int] | None = None,
) -> PlanResult:
    """Solve with explicit settings; `locks`/`initial_routes` hold order indices per vehicle,
    `began` when service began at locked stops (order index -> second, from tracking)."""
    started = time.monotonic()
    orders = list(problem.orders)
    layout = build_layout(problem, orders)
    mats = build_matrices(problem, layout)
    fits = check_orders(problem, layout, mats, not_before)
    if not orders:
        return PlanResult((), (), 0.0, time.monotonic() - started, "ok")
    model = build_model(problem, layout, mats, fits, locks, not_before, began)
    remaining = settings.time_limit_s - (time.monotonic() - started)
    params = search_parameters(
        SearchSettings(
            max(0.1, remaining * 0.97 - 0.05),
            settings.work_limit,
            settings.first_solution,
            settings.neighbors_ratio,
        )
    )
    routing = model.routing
    if initial_routes is not None:
        routing.CloseModelWithParameters(params)
        # OR-Tools reads routes as its own indices, which are not the nodes once no vehicle
        # starts at the depot (every van of a re-plan goes on from its last stop).
        node_index = model.manager.NodeToIndex
        indices = [[node_index(layout.order_node(oi)) for oi in r] for r in initial_routes]
        first = routing.ReadAssignmentFromRoutes(indices, True)
        solution = routing.SolveFromAssignmentWithParameters(first, params) if first else None
        # Out of time before the search took over (a loaded machine): the handed routes, as
        # they are, beat a search from scratch in the same lost time.
        solution = solution or first or routing.SolveWithParameters(params)
    else:
        solution = routing.SolveWithParameters(params)
    if solution is None:
        unplaced = tuple(explain(problem, o, f) for o, f in zip(orders, fits, strict=True))
        return PlanResult((), unplaced, 0.0, time.monotonic() - started, "no_solution")
    routes = read_routes(model, problem, solution)
    placed = {v.order_id for r in routes for v in r.visits}
    unplaced_list: list[Unplaced] = [
        explain(problem, o, f) for o, f in zip(orders, fits, strict=True) if o.id not in placed
    ]
    return PlanResult(
        tuple(routes),
        tuple(unplaced_list),
        solution.ObjectiveValue() / COST_SCALE,
        time.monotonic() - started,
        "ok",
    )
