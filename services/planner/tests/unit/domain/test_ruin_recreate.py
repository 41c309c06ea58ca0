"""Ruin and recreate: fewer routes, shorter routes, every order once, plans the checker accepts."""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import replace
from typing import Any

import pytest
from planner.domain.checker import check_plan
from planner.domain.model import Break, Capacity, PlanningProblem, TimeWindow
from planner.domain.ruin_recreate import fewer_routes, shorten, warm_up
from planner.domain.search import SearchSettings, solve_with
from planner.domain.vrptw_data import Vrptw, capacity_floor, plain_vrptw

PARCEL = Capacity(0.0, 0.0, 1)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _problem(
    build: Any, n: int, seed: int, capacity: int = 10, width: int = 900
) -> PlanningProblem:
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
                windows=(TimeWindow(start, start + width),),
            )
        )
    fleet = [build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, capacity)) for k in range(n)]
    return build.problem(fleet, orders)


def _data(p: PlanningProblem) -> Vrptw:
    data = plain_vrptw(p)
    assert data is not None
    return data


def _distance(data: Vrptw, routes: list[list[int]]) -> int:
    return sum(data.dist[a][b] for r in routes for a, b in itertools.pairwise([0, *r, 0]))


def _checked(p: PlanningProblem, routes: list[list[int]]) -> None:
    """Plan exactly these routes with the solver; the independent checker must accept them."""
    assert sorted(c for r in routes for c in r) == list(range(1, len(p.orders) + 1))
    fewer = replace(p, vehicles=p.vehicles[: len(routes)])
    initial = [[c - 1 for c in r] for r in routes]
    result = solve_with(fewer, SearchSettings(5.0, work_limit=1), initial_routes=initial)
    assert check_plan(fewer, result) == []
    assert result.unplaced == ()
    assert len(result.routes) == len(routes)


def test_one_order_per_route_shrinks_to_a_few_feasible_routes(build: Any) -> None:
    p = _problem(build, 40, seed=4)
    data = _data(p)
    routes, _ = fewer_routes(data, [[i + 1] for i in range(40)], time.monotonic() + 2.0)
    assert len(routes) <= 5
    _checked(p, routes)


def test_never_below_the_capacity_floor(build: Any) -> None:
    p = _problem(build, 12, seed=1, capacity=5, width=9_000)
    data = _data(p)
    assert capacity_floor(data) == 3
    routes, _ = fewer_routes(data, [[i + 1] for i in range(12)], time.monotonic() + 1.0)
    assert len(routes) == 3
    _checked(p, routes)


def test_shorten_finds_the_best_tour_of_a_small_route(build: Any) -> None:
    p = _problem(build, 7, seed=3, width=9_000)
    data = _data(p)
    best = min(_distance(data, [list(t)]) for t in itertools.permutations(range(1, 8)))
    routes, _ = shorten(data, [list(range(1, 8))], time.monotonic() + 1.0)
    assert len(routes) == 1
    assert _distance(data, routes) == best
    _checked(p, routes)


def test_shorten_cuts_distance_without_adding_routes(build: Any) -> None:
    p = _problem(build, 40, seed=7)
    data = _data(p)
    start, _ = fewer_routes(data, [[i + 1] for i in range(40)], time.monotonic() + 1.0)
    scrambled = [sorted(r, key=lambda c: data.ready[c]) for r in start]
    routes, _ = shorten(data, scrambled, time.monotonic() + 2.0)
    assert len(routes) <= len(start)
    assert _distance(data, routes) < _distance(data, scrambled)
    _checked(p, routes)


def test_windows_that_cannot_share_a_route_keep_their_routes(build: Any) -> None:
    window = (TimeWindow(100, 120),)
    orders = [
        build.order("west", -100, demand=PARCEL, windows=window),
        build.order("east", 100, demand=PARCEL, windows=window),
    ]
    fleet = [build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, 10)) for k in range(2)]
    data = _data(build.problem(fleet, orders))
    assert sorted(fewer_routes(data, [[1], [2]], time.monotonic() + 0.3)[0]) == [[1], [2]]
    assert sorted(shorten(data, [[1], [2]], time.monotonic() + 0.3)[0]) == [[1], [2]]


def test_problems_with_more_rules_are_left_to_the_general_solver(build: Any) -> None:
    p = _problem(build, 5, seed=2)
    lunch = replace(p.vehicles[0], breaks=(Break(600, 1_000, 2_000),))
    assert plain_vrptw(replace(p, vehicles=(lunch, *p.vehicles[1:]))) is None
    two = replace(p.orders[0], windows=(TimeWindow(0, 10), TimeWindow(50, 60)))
    assert plain_vrptw(replace(p, orders=(two, *p.orders[1:]))) is None
    soft = replace(p.orders[0], soft_windows=True)
    assert plain_vrptw(replace(p, orders=(soft, *p.orders[1:]))) is None
    shift = replace(p.vehicles[0], max_working_time=3_600)
    assert plain_vrptw(replace(p, vehicles=(shift, *p.vehicles[1:]))) is None
