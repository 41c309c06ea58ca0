"""Several and soft windows in the compiled search (`window_steps`), checked by the checker.

As in test_fleet_breaks, the compiled search's routes are replayed through OR-Tools (one
solution: the routes as handed) into a plan for `check_plan`: a route the compiled search
wrongly took for feasible shows up as routes OR-Tools could not take as they are, or as a
checker error.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import replace
from typing import Any

import pytest
from planner.domain.checker import check_plan
from planner.domain.fleet_data import alone_on_free_vehicles
from planner.domain.model import (
    Break,
    Capacity,
    Order,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    Vehicle,
)
from planner.domain.recreate_step import _cheapest_place
from planner.domain.ruin_recreate import _Arrays, fewer_routes, shorten, warm_up
from planner.domain.ruin_steps import seed_random
from planner.domain.solver import solve

from ...compiled_replay import fleet_data as _data
from ...compiled_replay import replayed as _replayed
from ...compiled_replay import searched as _searched
from ...compiled_replay import spied_shorten as _spied

PARCEL = Capacity(0.0, 0.0, 1)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _orders(build: Any, n: int, seed: int, soft_share: float = 0.3) -> list[Order]:
    """Orders with two narrow windows 2,000 s apart (some soft), the rest with one."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = rng.randrange(1_000, 6_000)
        two = rng.random() < 0.6
        windows = (TimeWindow(start, start + 400),)
        if two:
            windows += (TimeWindow(start + 2_000, start + 2_400),)
        soft = rng.random() < soft_share
        x, y = rng.uniform(-600, 600), rng.uniform(-600, 600)
        late = {"soft_windows": True, "lateness_cost_per_s": 0.002} if soft else {}
        order = build.order(f"o{i}", x, y, demand=PARCEL, windows=windows, service_time=60, **late)
        out.append(order)
    return out


def _van(build: Any, vid: str, *breaks: Break, **kw: Any) -> Vehicle:
    return build.vehicle(vid, capacity=Capacity(0.0, 0.0, 12), breaks=breaks, **kw)


def test_solve_plans_several_and_soft_windows_in_the_compiled_search(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spied(monkeypatch)
    fleet = [_van(build, f"v{k}") for k in range(5)]
    p = build.problem(fleet, _orders(build, 40, seed=2))
    assert any(len(o.windows) > 1 for o in p.orders) and any(o.soft_windows for o in p.orders)
    result = solve(p, 3.0, 0)
    assert calls == ["shorten"]
    assert check_plan(p, result) == []
    assert result.unplaced == ()


def _second_window_day(build: Any, b_closes: int, *lunch: Break) -> PlanningProblem:
    """a (x=100, only v0 may serve it) in 0-50 or 1000-1100: reached at 100, it waits for its
    second window; b (x=200) from 1050 to `b_closes`, 110 s after a's service starts. v0 takes
    the breaks `lunch`."""
    two = (TimeWindow(0, 50), TimeWindow(1_000, 1_100))
    a = build.order("a", 100, demand=PARCEL, windows=two, skills=frozenset({"x"}))
    b = build.order("b", 200, demand=PARCEL, windows=(TimeWindow(1_050, b_closes),))
    v0 = _van(build, "v0", *lunch, skills=frozenset({"x"}))
    return build.problem([v0, _van(build, "v1")], [a, b])


def test_a_stop_waits_for_its_second_window(build: Any) -> None:
    p = _second_window_day(build, b_closes=1_200)
    routes, vehicles = fewer_routes(_data(p), [[1], [2]], time.monotonic() + 0.5, vehicles=[0, 1])
    assert (routes, vehicles) == ([[1, 2]], [0])
    (route,) = _replayed(p, (routes, vehicles)).routes
    assert [v.start for v in route.visits] == [1_000, 1_110]


def test_the_gap_between_windows_is_not_a_window(build: Any) -> None:
    """b closes at 1105: after a (in its second window) b is late, before a, a is late; only
    serving a at 100, between its windows, would let them share a route."""
    p = _second_window_day(build, b_closes=1_105)
    data = _data(p)
    routes, vehicles = fewer_routes(data, [[1], [2]], time.monotonic() + 0.5, vehicles=[0, 1])
    assert sorted(routes) == [[1], [2]]
    _replayed(p, (routes, vehicles))


def test_overlapping_windows_are_one_window_for_the_polish_too(build: Any) -> None:
    """a's windows overlap (0-1500 and 100-200): served at ~1110, after b, is inside their
    union for the compiled search and the checker; OR-Tools must take that route as it is."""
    a = build.order("a", 100, demand=PARCEL, windows=(TimeWindow(0, 1_500), TimeWindow(100, 200)))
    b = build.order("b", 200, demand=PARCEL, windows=(TimeWindow(1_000, 1_100),))
    p = build.problem([_van(build, "v0")], [b, a])
    (route,) = _replayed(p, ([[1, 2]], [0])).routes
    assert [v.order_id for v in route.visits] == ["b", "a"]
    assert route.visits[1].start > 200


def test_an_order_whose_windows_are_all_unreachable_stays_out(build: Any) -> None:
    """c (x=600) in 0-500 or 700-800 on vans back by 1300: reached at 600, served at 700, back
    at 1310. Served inside the gap at 600 it would be back at 1210."""
    day = TimeWindow(0, 1_300)
    fleet = [_van(build, "v0", shift=day), _van(build, "v1", shift=day)]
    a = build.order("a", 100, demand=PARCEL)
    c = build.order("c", 600, demand=PARCEL, windows=(TimeWindow(0, 500), TimeWindow(700, 800)))
    p = build.problem(fleet, [a, c])
    data = _data(p)
    assert alone_on_free_vehicles(data, ([[1]], [0]), [2]) == ([[1]], [0])
    assert fewer_routes(data, [[1]], time.monotonic() + 0.5, vehicles=[0]) == ([[1]], [0])
    result = build.plan(p)
    assert [u.order_id for u in result.unplaced] == ["c"]


def _lateness_day(build: Any, cost_per_s: float) -> PlanningProblem:
    """A square loop a (0, 1000) -> s (500, 1000) -> b (1000, 1000) -> c (1000, 0): 4,000 m,
    s served at 1510, 310 s late for its soft window closing at 1200. Going to s first keeps it
    on time for 618 m more."""
    s = build.order(
        "s", 500, 1_000, demand=PARCEL, windows=(TimeWindow(0, 1_200),),
        soft_windows=True, lateness_cost_per_s=cost_per_s,
    )  # fmt: skip
    a, b, c = (build.order(o, x, y, demand=PARCEL) for o, x, y in
               (("a", 0, 1_000), ("b", 1_000, 1_000), ("c", 1_000, 0)))  # fmt: skip
    return build.problem([_van(build, "v0")], [a, s, b, c])


def _metres_and_lateness(p: PlanningProblem, route: tuple[int, ...]) -> tuple[float, float]:
    """The route's metres (customer nodes) and its lateness in seconds, departing at 0."""
    here, t, metres, late = (0.0, 0.0), 0.0, 0.0, 0.0
    for c in route:
        o = p.orders[c - 1]
        there = (o.location.lon, o.location.lat)
        leg = math.dist(here, there)
        metres, t = metres + leg, t + leg
        late += max(0.0, t - o.windows[-1].end) if o.soft_windows else 0.0
        here, t = there, t + o.service_time
    return metres + math.dist(here, (0.0, 0.0)), late


@pytest.mark.parametrize(("cost_per_s", "on_time"), [(0.01, True), (0.0005, False)])
def test_soft_lateness_is_priced(build: Any, cost_per_s: float, on_time: bool) -> None:
    """Dear lateness: the longer route serving s on time; cheap lateness: the loop, s late."""
    p = _lateness_day(build, cost_per_s)
    units = max(1, round(cost_per_s * 1000))  # per second, as OR-Tools prices it
    every = itertools.permutations(range(1, 5))
    best = min(every, key=lambda r: sum(x * w for x, w in
                                        zip(_metres_and_lateness(p, r), (1, units), strict=True)))  # fmt: skip
    assert (_metres_and_lateness(p, best)[1] == 0) == on_time
    loop = [[1, 2, 3, 4]]  # a, s, b, c
    routes, vehicles = shorten(_data(p), loop, time.monotonic() + 0.5, seed=3, vehicles=[0])
    assert _metres_and_lateness(p, tuple(routes[0])) == _metres_and_lateness(p, best)
    result = _replayed(p, (routes, vehicles))
    (s,) = (v for r in result.routes for v in r.visits if v.order_id == "s")
    assert (s.start <= 1_200) == on_time
    assert check_plan(p, build.plan(p)) == []


def test_compiled_routes_with_several_and_soft_windows_hold_as_they_are(build: Any) -> None:
    fleet = [_van(build, f"v{k}") for k in range(12)]
    p = build.problem(fleet, _orders(build, 45, seed=5))
    plan = _searched(p)
    assert sorted(c for r in plan[0] for c in r) == list(range(1, 46))
    _replayed(p, plan)


def test_several_windows_compose_with_breaks(build: Any) -> None:
    fleet = [_van(build, f"v{k}", Break(600, 2_500, 3_500)) for k in range(12)]
    p = build.problem(fleet, _orders(build, 45, seed=9))
    plan = _searched(p)
    result = _replayed(p, plan)
    assert all(len(r.breaks) == 1 for r in result.routes)


def test_a_break_is_taken_while_waiting_for_the_second_window(build: Any) -> None:
    """a (x=100): reached at 100, waits for 1000; the lunch (500 s, from 400 to 450) fits in
    the wait, so b (x=200, 1050-1200) is still served at 1110 on the same van."""
    p = _second_window_day(build, 1_200, Break(500, 400, 450))
    routes, vehicles = fewer_routes(_data(p), [[1], [2]], time.monotonic() + 0.5, vehicles=[0, 1])
    assert (routes, vehicles) == ([[1, 2]], [0])
    (route,) = _replayed(p, (routes, vehicles)).routes
    assert [v.start for v in route.visits] == [1_000, 1_110]


def _cheapest(p: PlanningProblem, route: list[int], c: int) -> int:
    """Where recreate puts customer c into the one van's `route` (the position after which)."""
    arrays = _Arrays.of(_data(p))
    sol = arrays.load(([route], [0]), [c])
    seed_random(0)
    k, i = _cheapest_place(sol, c, arrays.inst)
    assert k == 0
    return int(i)


def test_an_insertion_prices_its_own_lateness(build: Any) -> None:
    """s between a and b costs no metre but is 310 s late; first, 618 m more and on time."""
    p = _lateness_day(build, 0.01)
    assert _cheapest(p, [1, 3, 4], 2) == 0
    assert _cheapest(replace(p, orders=_hard(p.orders)), [1, 3, 4], 2) == 1


def test_an_insertion_prices_the_lateness_it_pushes_on(build: Any) -> None:
    """a before s: 382 m more, but s then 310 s late; between s and b: 1,000 m more."""
    p = _lateness_day(build, 0.01)
    assert _cheapest(p, [2, 3, 4], 1) == 1
    assert _cheapest(replace(p, orders=_hard(p.orders)), [2, 3, 4], 1) == 0


def _hard(orders: tuple[Order, ...]) -> tuple[Order, ...]:
    """The orders with their windows open all day (nothing to be late for)."""
    return tuple(replace(o, windows=(TimeWindow(0, 10_000),)) for o in orders)


def test_a_break_in_the_wait_does_not_open_the_gap(build: Any) -> None:
    """As without a break: b closing at 1105 cannot follow a, lunch in the wait or not."""
    p = _second_window_day(build, 1_105, Break(500, 400, 450))
    data = _data(p)
    routes, vehicles = fewer_routes(data, [[1], [2]], time.monotonic() + 0.5, vehicles=[0, 1])
    assert sorted(routes) == [[1], [2]]
    _replayed(p, (routes, vehicles))


def test_a_work_limit_makes_a_day_with_several_and_soft_windows_repeatable(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spied(monkeypatch)
    p = build.problem([_van(build, f"v{k}") for k in range(5)], _orders(build, 30, seed=4))

    def shape(result: PlanResult) -> list[tuple[str, list[str]]]:
        return [(r.vehicle_id, [v.order_id for v in r.visits]) for r in result.routes]

    first = solve(p, 30.0, seed=5, work_limit=200)
    assert calls == ["shorten"] and check_plan(p, first) == []
    assert shape(first) == shape(solve(p, 30.0, seed=5, work_limit=200))
