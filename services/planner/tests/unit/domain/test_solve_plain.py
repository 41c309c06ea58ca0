"""`solve` runs the compiled ruin-and-recreate search on plain VRPTW days, checked and repeatable."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from planner.domain import plain_search
from planner.domain.checker import check_plan
from planner.domain.model import (
    Break,
    Capacity,
    PlanningProblem,
    PlanResult,
    ReasonCode,
    Route,
    TimeWindow,
    Unplaced,
    VehicleKind,
)
from planner.domain.ruin_recreate import warm_up
from planner.domain.search import SearchSettings, solve_with
from planner.domain.solver import solve

PARCEL = Capacity(0.0, 0.0, 1)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _plain(build: Any, n: int = 40, fixed_cost: float = 0.0) -> PlanningProblem:
    rng = random.Random(11)
    orders = []
    for i in range(n):
        start = rng.randrange(0, 3_000)
        orders.append(
            build.order(
                f"o{i}",
                rng.uniform(-400, 400),
                rng.uniform(-400, 400),
                demand=PARCEL,
                windows=(TimeWindow(start, start + 1_500),),
            )
        )
    fleet = [
        build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, 8), fixed_cost=fixed_cost)
        for k in range(n // 2)
    ]
    return build.problem(fleet, orders)


def _shape(result: PlanResult) -> list[tuple[str, list[str]]]:
    return [(r.vehicle_id, [v.order_id for v in r.visits]) for r in result.routes]


def test_a_plain_day_goes_through_the_compiled_search(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    for name in ("fewer_routes", "shorten"):
        real = getattr(plain_search, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kw)

        monkeypatch.setattr(plain_search, name, spy)
    p = _plain(build)
    result = solve(p, 3.0, 0)
    assert calls == ["fewer_routes", "shorten"]
    assert check_plan(p, result) == []
    assert result.unplaced == ()
    # Eight parcels a van: five vans at least.
    assert 5 <= len(result.routes) <= 8


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = plain_search.fewer_routes

    def spy(*args: Any, **kw: Any) -> Any:
        calls.append("fewer_routes")
        return real(*args, **kw)

    monkeypatch.setattr(plain_search, "fewer_routes", spy)
    return calls


def test_a_day_with_more_rules_stays_on_the_general_search(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spy(monkeypatch)
    p = _plain(build, 10)
    # Breaks and a working-time limit on one van (several and soft windows are compiled now).
    lunch = replace(p.vehicles[0], breaks=(Break(600, 3_000, 4_000),), max_working_time=9_000)
    p = replace(p, vehicles=(lunch, *p.vehicles[1:]))
    assert check_plan(p, solve(p, 1.0, 0)) == []
    assert calls == []


def test_weight_volume_and_parcels_all_bind(build: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch)
    p = _plain(build)
    # Every third order is heavy, every third bulky: 100 kg and 1 m3 a van.
    orders = tuple(
        replace(o, demand=Capacity(40.0 if i % 3 == 0 else 1.0, 0.4 if i % 3 == 1 else 0.01, 1))
        for i, o in enumerate(p.orders)
    )
    fleet = tuple(replace(v, capacity=Capacity(100.0, 1.0, 8)) for v in p.vehicles)
    p = replace(p, orders=orders, vehicles=fleet)
    result = solve(p, 3.0, 0)
    assert calls == ["fewer_routes"]
    assert check_plan(p, result) == []
    assert result.unplaced == ()
    # 14 orders of 40 kg, two a van: seven vans at least.
    assert len(result.routes) >= 7


def test_an_ev_range_limits_every_route(build: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch)
    p = _plain(build)
    fleet = tuple(replace(v, kind=VehicleKind.EV, battery_range_m=2_500) for v in p.vehicles)
    p = replace(p, vehicles=fleet)
    result = solve(p, 3.0, 0)
    assert calls == ["fewer_routes"]
    assert check_plan(p, result) == []
    assert all(r.distance_m <= 2_500 for r in result.routes)


def test_an_overloaded_day_leaves_out_low_priorities_first(build: Any) -> None:
    p = _plain(build, 30)
    orders = tuple(replace(o, priority=2 if i % 2 else 0) for i, o in enumerate(p.orders))
    p = replace(p, orders=orders, vehicles=p.vehicles[:2])
    result = solve(p, 3.0, 0)
    assert check_plan(p, result) == []
    left_out = {u.order_id for u in result.unplaced}
    assert len(left_out) >= 14
    assert all(o.priority == 0 for o in orders if o.id in left_out)


def test_work_limit_makes_the_compiled_search_repeatable(build: Any) -> None:
    p = _plain(build)
    first = solve(p, 30.0, seed=3, work_limit=200)
    assert first.seconds < 30.0
    assert _shape(first) == _shape(solve(p, 30.0, seed=3, work_limit=200))
    assert check_plan(p, first) == []


def test_cost_counts_the_fixed_cost_of_every_vehicle_used(build: Any) -> None:
    p = _plain(build, fixed_cost=500.0)
    result = solve(p, 2.0, 0, work_limit=100)
    assert check_plan(p, result) == []
    assert result.cost >= 500.0 * len(result.routes)


def _short_start(
    monkeypatch: pytest.MonkeyPatch, cut: Callable[[tuple[Route, ...]], tuple[Route, ...]]
) -> None:
    """The start loses what `cut` takes from its routes."""
    real = plain_search._start

    def short(problem: PlanningProblem, *rest: Any) -> PlanResult:
        result = real(problem, *rest)
        return replace(result, routes=cut(result.routes))

    monkeypatch.setattr(plain_search, "_start", short)


def _all_placed_by_route_removal(build: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch)
    p = _plain(build)
    result = solve(p, 3.0, 0)
    assert calls == ["fewer_routes"]
    assert check_plan(p, result) == []
    assert result.unplaced == ()


def test_orders_a_short_start_left_out_get_routes_for_route_removal_to_fold_in(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the clock ended the start before its last route was built.
    _short_start(monkeypatch, lambda routes: routes[:-1])
    _all_placed_by_route_removal(build, monkeypatch)


def test_orders_left_out_with_no_vehicle_to_spare_are_placed_by_route_removal(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the start could not fit each route's first order, and none fits a route alone.
    _short_start(monkeypatch, lambda routes: tuple(replace(r, visits=r.visits[1:]) for r in routes))
    monkeypatch.setattr(plain_search, "_alone_fits", lambda data, c: False)
    _all_placed_by_route_removal(build, monkeypatch)


def test_an_order_no_vehicle_can_serve_is_left_out_first_with_its_reason(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shortened: list[int] = []
    real = plain_search.shorten

    def spy(data: Any, routes: Any, *args: Any, **kw: Any) -> Any:
        shortened.append(sum(map(len, routes)))
        return real(data, routes, *args, **kw)

    monkeypatch.setattr(plain_search, "shorten", spy)
    p = _plain(build, 20)
    piano = replace(p.orders[0], id="piano", demand=Capacity(0.0, 0.0, 9))
    p = replace(p, orders=(piano, *p.orders[1:]))
    result = solve(p, 3.0, 0)
    assert shortened == [19]
    assert check_plan(p, result) == []
    assert [(u.order_id, u.code) for u in result.unplaced] == [("piano", ReasonCode.TOO_LARGE)]


def test_the_polish_keeps_the_handed_routes_when_its_search_returns_nothing(build: Any) -> None:
    """On a loaded machine the polish may run out of time before its search returns a plan:
    the routes it was handed must come back, not a plan from scratch with every order left out.
    (An invalid solution limit makes OR-Tools return nothing at once, as the clock did.)"""
    p = _plain(build, 12)
    routes = [[i] for i in range(12)]  # each order alone fits its window
    handed = replace(p, vehicles=tuple(replace(p.vehicles[0], id=f"w{i}") for i in range(12)))
    result = solve_with(handed, SearchSettings(5.0, work_limit=0), initial_routes=routes)
    assert check_plan(handed, result) == []
    assert result.unplaced == ()
    assert [[v.order_id for v in r.visits] for r in result.routes] == [[o.id] for o in p.orders]


def test_when_or_tools_finds_nothing_from_scratch_the_routes_route_removal_left_are_kept(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day route removal could not complete goes to OR-Tools from scratch; on a loaded
    machine that may find no plan in the time left, and every order came back left out."""
    real_fewer, real_attempt = plain_search.fewer_routes, plain_search._attempt

    def one_short(*args: Any, **kw: Any) -> Any:
        routes, vehicles = real_fewer(*args, **kw)
        return [r[:-1] if k == 0 else r for k, r in enumerate(routes)], vehicles

    calls: list[bool] = []

    def out_of_time(
        problem: PlanningProblem, seconds: float, work_limit: Any, initial: Any = None
    ) -> Any:
        calls.append(initial is None)
        if initial is None and len(calls) > 1:  # the run from scratch, not the start
            return PlanResult(
                (),
                tuple(Unplaced(o.id, ReasonCode.FLEET_FULL, "") for o in problem.orders),
                status="no_solution",
            )
        return real_attempt(problem, seconds, work_limit, initial)

    monkeypatch.setattr(plain_search, "fewer_routes", one_short)
    monkeypatch.setattr(plain_search, "_attempt", out_of_time)
    p = _plain(build)
    result = solve(p, 3.0, 0)
    assert calls[:2] == [True, True]
    assert check_plan(p, result) == []
    assert len(result.unplaced) == 1
