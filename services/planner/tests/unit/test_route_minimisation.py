"""Ejection-pool route minimisation: fewer routes, every order once, plans the checker accepts."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

from planner.domain.checker import check_plan
from planner.domain.model import Break, Capacity, PlanningProblem, TimeWindow
from planner.domain.route_minimisation import capacity_floor, minimise_routes, plain_vrptw
from planner.domain.solver import SearchSettings, solve_with

PARCEL = Capacity(0.0, 0.0, 1)


def _problem(build: Any, n: int, seed: int, capacity: int = 10) -> PlanningProblem:
    rng = random.Random(seed)
    orders = []
    for i in range(n):
        start = rng.randrange(0, 2_000)
        orders.append(
            build.order(
                f"o{i}",
                rng.uniform(-300, 300),
                rng.uniform(-300, 300),
                demand=PARCEL,
                windows=(TimeWindow(start, start + 900),),
            )
        )
    fleet = [build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, capacity)) for k in range(n)]
    return build.problem(fleet, orders)


def _checked(p: PlanningProblem, routes: list[list[int]]) -> int:
    """Plan the node routes with the solver from exactly these routes; checker must agree."""
    fewer = replace(p, vehicles=p.vehicles[: len(routes)])
    initial = [[c - 1 for c in r] for r in routes]
    result = solve_with(fewer, SearchSettings(5.0, work_limit=1), initial_routes=initial)
    assert check_plan(fewer, result) == []
    assert result.unplaced == ()
    return len(result.routes)


def _singletons(p: PlanningProblem) -> list[list[int]]:
    return [[i + 1] for i in range(len(p.orders))]


def _cover_once(p: PlanningProblem, routes: list[list[int]]) -> None:
    assert sorted(c for r in routes for c in r) == list(range(1, len(p.orders) + 1))


def test_one_order_per_route_shrinks_to_a_few_feasible_routes(build: Any) -> None:
    p = _problem(build, 30, seed=4)
    data = plain_vrptw(p)
    assert data is not None
    routes = minimise_routes(data, _singletons(p), time.monotonic() + 5.0)
    _cover_once(p, routes)
    assert len(routes) <= 5
    assert _checked(p, routes) == len(routes)


def test_never_below_the_capacity_floor(build: Any) -> None:
    p = _problem(build, 12, seed=1, capacity=5)
    p = replace(p, orders=tuple(replace(o, windows=(TimeWindow(0, 100_000),)) for o in p.orders))
    p = replace(p, depot=replace(p.depot, opening=TimeWindow(0, 100_000)))
    p = replace(p, vehicles=tuple(replace(v, shift=TimeWindow(0, 100_000)) for v in p.vehicles))
    data = plain_vrptw(p)
    assert data is not None
    assert capacity_floor(data) == 3
    routes = minimise_routes(data, _singletons(p), time.monotonic() + 5.0)
    _cover_once(p, routes)
    assert len(routes) == 3
    assert _checked(p, routes) == 3


def test_windows_that_cannot_share_a_route_keep_their_routes(build: Any) -> None:
    window = (TimeWindow(100, 120),)
    orders = [
        build.order("west", -100, demand=PARCEL, windows=window),
        build.order("east", 100, demand=PARCEL, windows=window),
    ]
    fleet = [build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, 10)) for k in range(2)]
    p = build.problem(fleet, orders)
    data = plain_vrptw(p)
    assert data is not None
    routes = minimise_routes(data, [[1], [2]], time.monotonic() + 0.5)
    assert sorted(routes) == [[1], [2]]


def test_problems_with_more_rules_are_left_to_the_general_solver(build: Any) -> None:
    p = _problem(build, 5, seed=2)
    lunch = replace(p.vehicles[0], breaks=(Break(600, 1_000, 2_000),))
    assert plain_vrptw(replace(p, vehicles=(lunch, *p.vehicles[1:]))) is None
    two = replace(p.orders[0], windows=(TimeWindow(0, 10), TimeWindow(50, 60)))
    assert plain_vrptw(replace(p, orders=(two, *p.orders[1:]))) is None
    heavy = replace(p.orders[0], demand=Capacity(5.0, 0.0, 1))
    assert plain_vrptw(replace(p, orders=(heavy, *p.orders[1:]))) is None
