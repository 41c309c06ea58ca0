"""The compiled search on mixed fleets: every rule it models, checked by the independent checker.

Each test runs the compiled search on `fleet_data` and replays its exact routes through OR-Tools
(one solution: the routes as handed) into a plan for `check_plan`, so a rule the compiled
search broke shows up as a checker error or as routes OR-Tools could not take as they are.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

import pytest
from planner.domain import plain_search
from planner.domain.checker import check_plan
from planner.domain.fleet_data import alone_on_free_vehicles, compiled_data
from planner.domain.model import Break, Capacity, Location, PlanningProblem, TimeWindow
from planner.domain.ruin_recreate import Plan, fewer_routes, shorten, warm_up
from planner.domain.search import SearchSettings, solve_with
from planner.domain.solver import solve
from planner.domain.vrptw_data import Vrptw, capacity_floor

PARCEL = Capacity(0.0, 0.0, 1)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _orders(build: Any, n: int, seed: int = 5, width: int = 4_000, **kw: Any) -> list[Any]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = rng.randrange(0, 4_000)
        window = (TimeWindow(start, start + width),)
        x, y = rng.uniform(-400, 400), rng.uniform(-400, 400)
        out.append(build.order(f"o{i}", x, y, demand=PARCEL, windows=window, **kw))
    return out


def _data(p: PlanningProblem) -> Vrptw:
    data = compiled_data(p)
    assert data is not None and data.fleet is not None
    return data


def _searched(p: PlanningProblem, seconds: float = 1.5, start: Plan | None = None) -> Plan:
    """Route removal then annealing from one order per vehicle, the rest unplaced (or from
    `start`), on the fleet data."""
    data = _data(p)
    everyone = list(range(1, len(p.orders) + 1))
    routes, vehicles = start or alone_on_free_vehicles(data, ([], []), everyone)
    routes, vehicles = fewer_routes(
        data, routes, time.monotonic() + seconds, seed=1, vehicles=vehicles
    )
    return shorten(data, routes, time.monotonic() + seconds, seed=1, vehicles=vehicles)


def _replayed(p: PlanningProblem, plan: Plan) -> list[str]:
    """The checker's errors for exactly these routes on these vehicles."""
    routes, vehicles = plan
    assert sorted(c for r in routes for c in r) == list(range(1, len(p.orders) + 1))
    fleet = tuple(p.vehicles[v] for v in vehicles)
    handed = replace(p, vehicles=fleet)
    initial = [[c - 1 for c in r] for r in routes]
    result = solve_with(handed, SearchSettings(5.0, work_limit=1), initial_routes=initial)
    expected = {fleet[k].id: [p.orders[c - 1].id for c in r] for k, r in enumerate(routes)}
    got = {r.vehicle_id: [v.order_id for v in r.visits] for r in result.routes}
    assert got == expected, "OR-Tools could not take the compiled routes as they are"
    return check_plan(p, result)


def test_each_vehicle_carries_only_its_own_capacity(build: Any) -> None:
    big = [build.vehicle(f"big{k}", capacity=Capacity(0.0, 0.0, 12)) for k in range(2)]
    small = [build.vehicle(f"small{k}", capacity=Capacity(0.0, 0.0, 3)) for k in range(10)]
    p = build.problem(small + big, _orders(build, 30))
    plan = _searched(p)
    assert _replayed(p, plan) == []
    # Two big vans take 24 at most: two small ones at least for the other six.
    assert len(plan[0]) >= 4


def test_vehicles_start_and_end_at_their_own_points_within_their_shifts(build: Any) -> None:
    west = build.vehicle(
        "west", start=Location(0.0, -600.0), end=Location(0.0, -600.0), shift=TimeWindow(0, 6_000)
    )
    east = build.vehicle("east", start=Location(0.0, 600.0), shift=TimeWindow(2_000, 10_000))
    home = [build.vehicle(f"v{k}", shift=TimeWindow(1_000, 9_000)) for k in range(3)]
    p = build.problem([west, east, *home], _orders(build, 24))
    plan = _searched(p)
    assert _replayed(p, plan) == []
    assert {p.vehicles[v].id for v in plan[1]} & {"west", "east"}


def test_no_vehicle_leaves_before_its_shift_starts(build: Any) -> None:
    # Each order alone fits a shift that starts at 3,000; the windows close at 3,700.
    late = [build.vehicle(f"late{k}", shift=TimeWindow(3_000, 10_000)) for k in range(12)]
    early = [build.vehicle(f"early{k}", shift=TimeWindow(0, 10_000)) for k in range(2)]
    orders = [replace(o, windows=(TimeWindow(0, 3_700),)) for o in _orders(build, 16)]
    p = build.problem(late + early, orders)
    plan = _searched(p)
    assert _replayed(p, plan) == []


def test_a_slow_vehicle_keeps_to_windows_at_its_own_speed(build: Any) -> None:
    bikes = [build.vehicle(f"bike{k}", speed_mps=0.3) for k in range(10)]
    van = build.vehicle("van", capacity=Capacity(0.0, 0.0, 4))
    p = build.problem([van, *bikes], _orders(build, 24, width=1_500))
    plan = _searched(p)
    assert _replayed(p, plan) == []
    assert sum(p.vehicles[v].id.startswith("bike") for v in plan[1]) >= 3


def test_skills_are_per_vehicle(build: Any) -> None:
    fridge = build.vehicle("fridge", skills=frozenset({"cold"}))
    vans = [build.vehicle(f"van{k}") for k in range(4)]
    orders = _orders(build, 24)
    cold = [
        replace(o, skills=frozenset({"cold"})) if i % 6 == 0 else o for i, o in enumerate(orders)
    ]
    p = build.problem([*vans, fridge], cold)
    plan = _searched(p)
    assert _replayed(p, plan) == []
    on = {p.orders[c - 1].id: p.vehicles[v].id for r, v in zip(*plan, strict=True) for c in r}
    assert all(on[o.id] == "fridge" for o in cold if o.skills)


def test_each_ev_keeps_within_its_range(build: Any) -> None:
    evs = [build.vehicle(f"ev{k}", battery_range_m=1_200) for k in range(14)]
    van = build.vehicle("van", capacity=Capacity(0.0, 0.0, 2))
    p = build.problem([van, *evs], _orders(build, 24))
    plan = _searched(p)
    assert _replayed(p, plan) == []


def test_routes_move_to_the_vehicles_without_fixed_cost(build: Any) -> None:
    dear = [build.vehicle(f"dear{k}", fixed_cost=1_000.0) for k in range(4)]
    cheap = [build.vehicle(f"cheap{k}") for k in range(4)]
    p = build.problem(dear + cheap, _orders(build, 24))
    # Start on the dear vans: four routes of six.
    start = ([list(range(1 + 6 * k, 7 + 6 * k)) for k in range(4)], [0, 1, 2, 3])
    data = _data(p)
    plan = shorten(data, start[0], time.monotonic() + 3.0, seed=1, vehicles=start[1])
    assert all(p.vehicles[v].id.startswith("cheap") for v in plan[1])
    assert _replayed(p, plan) == []


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Calls of route removal, the compiled search's first phase, from now on."""
    calls: list[str] = []
    real = plain_search.fewer_routes

    def spy(*args: Any, **kw: Any) -> Any:
        calls.append("fewer_routes")
        return real(*args, **kw)

    monkeypatch.setattr(plain_search, "fewer_routes", spy)
    return calls


def test_solve_runs_the_compiled_search_on_a_mixed_fleet(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spied(monkeypatch)
    big = build.vehicle("big", capacity=Capacity(0.0, 0.0, 12), start=Location(0.0, 300.0))
    small = [
        build.vehicle(f"s{k}", capacity=Capacity(0.0, 0.0, 4), speed_mps=0.8) for k in range(8)
    ]
    p = build.problem([big, *small], _orders(build, 30))
    result = solve(p, 3.0, 0)
    assert calls == ["fewer_routes"]
    assert check_plan(p, result) == []
    assert result.unplaced == ()


def test_breaks_the_compiled_search_cannot_take_stay_with_or_tools(build: Any) -> None:
    lunch = build.vehicle("lunch", breaks=(Break(600, 1_000, 2_000),))
    p = build.problem([lunch, build.vehicle("v")], _orders(build, 5))
    assert compiled_data(p) is not None
    # With a working-time limit, or a break that must begin before the van can leave.
    limited = replace(lunch, max_working_time=5_000)
    assert compiled_data(build.problem([limited, build.vehicle("v")], _orders(build, 5))) is None
    late = replace(lunch, shift=TimeWindow(2_500, 10_000))
    assert compiled_data(build.problem([late, build.vehicle("v")], _orders(build, 5))) is None


def test_the_route_floor_counts_the_largest_vehicles_first(build: Any) -> None:
    big = [build.vehicle(f"big{k}", capacity=Capacity(0.0, 0.0, 12)) for k in range(2)]
    small = [build.vehicle(f"small{k}", capacity=Capacity(0.0, 0.0, 3)) for k in range(10)]
    # 30 parcels: 12 + 12 + 3 = 27 is short, a fourth vehicle is needed.
    assert capacity_floor(_data(build.problem(small + big, _orders(build, 30)))) == 4
    assert capacity_floor(_data(build.problem(small + big, _orders(build, 24)))) == 2


def _spans(p: PlanningProblem, plan: Plan) -> list[int]:
    """How long each route of the compiled plan lasts, departing at its vehicle's shift start."""
    routes, vehicles = plan
    result = solve_with(
        replace(p, vehicles=tuple(p.vehicles[v] for v in vehicles)),
        SearchSettings(5.0, work_limit=1),
        initial_routes=[[c - 1 for c in r] for r in routes],
    )
    return [r.end - r.start for r in result.routes]


def _any_time(build: Any, n: int) -> list[Any]:
    return [replace(o, windows=(TimeWindow(0, 10_000),)) for o in _orders(build, n)]


def test_a_route_duration_limit_binds_in_the_compiled_search(build: Any) -> None:
    orders = _any_time(build, 20)
    vans = [build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, 40)) for k in range(4)]
    loose = [replace(v, max_route_duration=10_000) for v in vans]
    assert len(_searched(build.problem(loose, orders))[0]) == 1
    p = build.problem([replace(v, max_route_duration=1_500) for v in vans], orders)
    plan = _searched(p)
    assert len(plan[0]) > 1
    assert _replayed(p, plan) == []
    assert max(_spans(p, plan)) <= 1_500


def test_a_working_time_limit_without_breaks_binds_in_the_compiled_search(build: Any) -> None:
    vans = [build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, 40)) for k in range(3)]
    short = [replace(v, max_working_time=1_500) for v in vans]
    p = build.problem([*short, build.vehicle("slow", speed_mps=0.5)], _any_time(build, 20))
    plan = _searched(p)
    assert _replayed(p, plan) == []
    spans = dict(zip(plan[1], _spans(p, plan), strict=True))
    assert all(spans[v] <= 1_500 for v in range(3) if v in spans)


def test_a_limit_a_later_departure_could_keep_to_stays_with_or_tools(build: Any) -> None:
    # Windows late in the day: OR-Tools departs late to keep to 1,500 s; the compiled search
    # departs at the shift start and would wait, so it does not get the day.
    late = [
        replace(o, id=f"late{o.id}", windows=(TimeWindow(6_000, 7_000),)) for o in _orders(build, 6)
    ]
    vans = [build.vehicle(f"v{k}", max_route_duration=1_500) for k in range(3)]
    p = build.problem(vans, _orders(build, 10, seed=7, width=10_000) + late)
    assert compiled_data(p) is None
    result = solve(p, 2.0, 0)
    assert check_plan(p, result) == []
    assert result.unplaced == ()


def test_a_duration_limit_counts_from_when_the_first_window_is_reachable(build: Any) -> None:
    # Nothing opens before 3,000 s: the vans' 2,000 s count from then, not from 0, and cover
    # every window to its close.
    orders = [replace(o, windows=(TimeWindow(3_000, 3_600),)) for o in _orders(build, 6)]
    vans = [build.vehicle(f"v{k}", max_route_duration=2_000) for k in range(3)]
    p = build.problem(vans, orders)
    plan = _searched(p)
    assert _replayed(p, plan) == []
    assert max(_spans(p, plan)) <= 2_000
