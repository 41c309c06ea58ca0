"""Drivers' breaks in the compiled search (`break_steps`), checked by the independent checker.

As in test_fleet_search, the compiled search's exact routes are replayed through OR-Tools (one
solution: the routes as handed) into a plan for `check_plan`: a route the compiled search
wrongly took for feasible with its breaks shows up as routes OR-Tools could not take as they
are, or as a checker error.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import pytest
from planner.domain import plain_search
from planner.domain.checker import check_plan
from planner.domain.fleet_data import alone_on_free_vehicles
from planner.domain.model import (
    Break,
    Capacity,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    Vehicle,
)
from planner.domain.replan import replan
from planner.domain.ruin_recreate import Plan, fewer_routes, shorten, warm_up
from planner.domain.solver import solve
from planner.domain.synthetic import HOUR, generated_depot, under_way

from ...compiled_replay import fleet_data as _data
from ...compiled_replay import replayed as _replayed
from ...compiled_replay import searched as _searched
from ...compiled_replay import spied_shorten as _spied

PARCEL = Capacity(0.0, 0.0, 1)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _orders(build: Any, n: int, seed: int = 3, width: int = 1_500) -> list[Any]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = rng.randrange(0, 7_000)
        window = (TimeWindow(start, start + width),)
        x, y = rng.uniform(-600, 600), rng.uniform(-600, 600)
        out.append(build.order(f"o{i}", x, y, demand=PARCEL, windows=window, service_time=60))
    return out


def _lunch(build: Any, vid: str, *breaks: Break, **kw: Any) -> Vehicle:
    return build.vehicle(vid, capacity=Capacity(0.0, 0.0, 12), breaks=breaks, **kw)


def test_solve_plans_a_day_with_breaks_in_the_compiled_search(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spied(monkeypatch)
    fleet = [_lunch(build, f"l{k}", Break(600, 3_000, 4_000)) for k in range(4)]
    fleet += [_lunch(build, f"n{k}") for k in range(2)]  # no breaks
    p = build.problem(fleet, _orders(build, 40))
    result = solve(p, 3.0, 0)
    assert calls == ["shorten"]
    assert check_plan(p, result) == []
    assert result.unplaced == ()
    for r in result.routes:
        wanted = next(v for v in fleet if v.id == r.vehicle_id).breaks
        assert [b.duration for b in r.breaks] == [b.duration for b in wanted]


def test_the_generated_depot_with_its_lunch_breaks_is_compiled() -> None:
    day = generated_depot(60)
    assert all(v.breaks for v in day.vehicles)
    assert _data(day).fleet is not None


def test_compiled_routes_hold_with_their_breaks_as_they_are(build: Any) -> None:
    fleet = [_lunch(build, f"l{k}", Break(900, 2_500, 3_000)) for k in range(6)]
    p = build.problem(fleet, _orders(build, 45, seed=8, width=900))
    plan = _searched(p)
    assert sorted(c for r in plan[0] for c in r) == list(range(1, 46))
    result = _replayed(p, plan)
    assert all(len(r.breaks) == 1 for r in result.routes)


def _wait_day(build: Any, b_closes: int, free: bool) -> PlanningProblem:
    """a (x=100, only the lunch van may serve it) early, b (x=200) from 1000; the lunch must
    start at exactly 1000 for 500 s, so on that van b begins at 1500 at the earliest: it waits
    from 210 and lunches on the way. `free`: a second van without breaks."""
    lunch = _lunch(build, "lunch", Break(500, 1_000, 1_000), skills=frozenset({"x"}))
    fleet = [lunch, _lunch(build, "free", fixed_cost=100.0)] if free else [lunch]
    a = build.order("a", 100, demand=PARCEL, windows=(TimeWindow(0, 200),), skills={"x"})
    b = build.order("b", 200, demand=PARCEL, windows=(TimeWindow(1_000, b_closes),))
    return build.problem(fleet, [a, b])


def test_a_break_window_can_make_the_van_wait_and_lunch_on_the_way(build: Any) -> None:
    p = _wait_day(build, b_closes=1_600, free=False)
    data = _data(p)
    routes, vehicles = fewer_routes(data, [[1]], time.monotonic() + 0.5, vehicles=[0])
    assert (routes, vehicles) == ([[1, 2]], [0])
    result = _replayed(p, (routes, vehicles))
    (route,) = result.routes
    assert [(x.start, x.duration) for x in route.breaks] == [(1_000, 500)]
    assert route.visits[1].start >= 1_500


def test_a_break_that_does_not_fit_keeps_the_order_off_that_van(build: Any) -> None:
    # b must begin by 1499: before the lunch it is served at 1000, when the lunch must begin.
    p = _wait_day(build, b_closes=1_499, free=True)
    data = _data(p)
    assert alone_on_free_vehicles(data, ([], []), [2]) == ([[2]], [1])
    routes, vehicles = fewer_routes(data, [[1], [2]], time.monotonic() + 0.5, vehicles=[0, 1])
    assert sorted(zip(vehicles, routes, strict=True)) == [(0, [1]), (1, [2])]
    # Alone on the lunch van, b does not fit either: route removal leaves it out.
    lone = _wait_day(build, b_closes=1_499, free=False)
    assert fewer_routes(_data(lone), [[1]], time.monotonic() + 0.5, vehicles=[0]) == ([[1]], [0])
    result = solve(p, 2.0, 0)
    assert check_plan(p, result) == [] and result.unplaced == ()
    assert build.route_of(result, "b") == "free"


def test_two_breaks_are_taken_in_order_each_in_its_window(build: Any) -> None:
    two = (Break(300, 1_500, 2_000), Break(600, 4_500, 5_000))
    fleet = [_lunch(build, f"l{k}", *two) for k in range(5)]
    p = build.problem(fleet, _orders(build, 40, seed=11, width=1_200))
    result = _replayed(p, _searched(p))
    for r in result.routes:
        assert [x.duration for x in r.breaks] == [300, 600]


def test_a_new_route_goes_to_a_van_whose_break_it_fits(build: Any) -> None:
    """Ruin empties both routes; recreate opens new ones on free vehicles. The lunch van
    (no fixed cost, half the km price) cannot take b with its lunch, so b stays on the van
    without breaks, although the swap would be cheaper."""
    lunch = _lunch(build, "lunch", Break(500, 1_000, 1_000))
    # One parcel: the free van cannot take both.
    free = build.vehicle("free", capacity=PARCEL, fixed_cost=100.0, cost_per_km=2.0)
    b = build.order("b", 200, demand=PARCEL, windows=(TimeWindow(1_000, 1_499),))
    d = build.order("d", -100, 100, demand=PARCEL)
    p = build.problem([lunch, free], [b, d])
    data = _data(p)
    plan = shorten(data, [[1], [2]], time.monotonic() + 0.5, vehicles=[1, 0])
    assert [v for r, v in zip(*plan, strict=True) if 1 in r] == [1]
    _replayed(p, plan)


def test_a_replan_keeps_a_van_whose_break_may_have_begun_on_or_tools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = generated_depot(60, 3)
    first = solve(p, 30.0, 0, work_limit=20)
    assert check_plan(p, first) == []
    calls = _spied(monkeypatch)
    # 12:30: vans are inside their 12:00-14:00 lunch window.
    day = under_way(p, first, 12 * HOUR + 1_800, 4, 3)
    assert day.locked
    result = replan(day.problem, first, day.locked, day.now_s, 2.0, 0, day.seen)
    assert calls == []
    served = frozenset(o for chain in day.locked.values() for o in chain)
    assert check_plan(day.problem, result, served=served) == []
    # 11:00: no break can have begun (vans leave their last locked stop by 11:25); the
    # compiled search re-plans.
    day = under_way(p, first, 11 * HOUR, 4, 3)
    assert day.locked
    result = replan(day.problem, first, day.locked, day.now_s, 2.0, 0, day.seen)
    assert calls == ["shorten"]
    assert not any("compiled re-plan failed" in note for note in result.notes)
    served = frozenset(o for chain in day.locked.values() for o in chain)
    assert check_plan(day.problem, result, served=served) == []


def test_a_day_with_breaks_is_repeatable_under_a_work_limit(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spied(monkeypatch)
    fleet = [_lunch(build, f"l{k}", Break(600, 3_000, 4_000)) for k in range(5)]
    p = build.problem(fleet, _orders(build, 40, seed=4))

    def shape(r: PlanResult) -> list[tuple[str, list[str], list[int]]]:
        return [
            (x.vehicle_id, [v.order_id for v in x.visits], [b.start for b in x.breaks])
            for x in r.routes
        ]

    first = solve(p, 60.0, seed=5, work_limit=50)
    assert calls == ["shorten"] and check_plan(p, first) == []
    assert shape(first) == shape(solve(p, 60.0, seed=5, work_limit=50))


def test_a_polish_out_of_time_still_returns_the_compiled_routes(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The polish that cannot take the handed routes in the time left (a loaded machine, a
    large day with breaks) must not throw the compiled search's work away for the start's."""
    real_attempt: Callable[..., PlanResult] = plain_search._attempt
    real_shorten: Callable[..., Plan] = plain_search.shorten
    compiled: list[Plan] = []

    def attempt(problem: PlanningProblem, seconds: float, work: Any, initial: Any = None) -> Any:
        if initial is not None and work is None:
            return PlanResult((), (), status="no_solution")
        # The start: OR-Tools' first solution alone, which the compiled search improves on.
        return real_attempt(problem, seconds, 1 if initial is None else work, initial)

    def shorten_spy(*args: Any, **kw: Any) -> Plan:
        compiled.append(real_shorten(*args, **kw))
        return compiled[-1]

    monkeypatch.setattr(plain_search, "_attempt", attempt)
    monkeypatch.setattr(plain_search, "shorten", shorten_spy)
    fleet = [_lunch(build, f"l{k}", Break(600, 3_000, 4_000)) for k in range(5)]
    p = build.problem(fleet, _orders(build, 60, seed=6))
    result = solve(p, 3.0, 0)
    assert check_plan(p, result) == [] and result.unplaced == ()
    ((routes, vehicles),) = compiled
    on = zip(routes, vehicles, strict=True)
    expected = {fleet[v].id: [p.orders[c - 1].id for c in r] for r, v in on}
    assert {r.vehicle_id: [x.order_id for x in r.visits] for r in result.routes} == expected


def test_a_break_before_the_route_is_left_to_or_tools(build: Any) -> None:
    """OR-Tools may take a break before the route starts; the compiled search never does. A
    start route that needs that is cut to what the compiled rule can time, and the day still
    gets a plan with every order (OR-Tools from scratch, when no route is left)."""
    van = _lunch(build, "v", Break(300, 0, 1_100), shift=TimeWindow(1_000, 10_000))
    # Served 1050-1150: the break (by 1100) fits neither on the way (c would begin at 1350)
    # nor after; only before the departure at 1000.
    c = build.order("c", 50, demand=PARCEL, windows=(TimeWindow(1_050, 1_060),), service_time=100)
    p = build.problem([van], [c])
    data = _data(p)
    assert plain_search._held(data, ([[1]], [0])) == ([], [])
    result = solve(p, 2.0, 0)
    assert check_plan(p, result) == [] and result.unplaced == ()
