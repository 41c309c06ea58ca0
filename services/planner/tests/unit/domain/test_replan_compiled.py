"""Re-plans through the compiled search: locks, `now` and tracking's times, on the checker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from planner.domain import plain_search
from planner.domain import replan as replan_module
from planner.domain.checker import check_plan
from planner.domain.layout import is_drone
from planner.domain.model import Location, PlanningProblem, PlanResult, TimeWindow
from planner.domain.replan import promise_windows, replan, replan_with_ortools
from planner.domain.replan_locks import remainder
from planner.domain.ruin_recreate import warm_up
from planner.domain.search import SearchSettings, solve_with
from planner.domain.solver import solve
from planner.domain.synthetic import HOUR, DayUnderWay, generated_depot, under_way
from planner.domain.travel import leg_for_vehicle

NOON = 12 * HOUR


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _day(stops: int, seed: int, late_orders: int = 6) -> tuple[DayUnderWay, PlanResult]:
    p = generated_depot(stops, seed, breaks=False)
    first = solve(p, 2.0, 0)
    assert check_plan(p, first) == []
    return under_way(p, first, NOON, late_orders, seed), first


def _served(day: DayUnderWay) -> frozenset[str]:
    return frozenset(oid for chain in day.locked.values() for oid in chain)


def _spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    calls: list[int] = []
    real: Callable[..., Any] = getattr(plain_search, name)

    def counted(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(plain_search, name, counted)
    return calls


def _next_leg_s(p: PlanningProblem, vehicle_id: str, a: str, b: str, t: int) -> float:
    v = next(x for x in p.vehicles if x.id == vehicle_id)
    at = {o.id: o.location for o in p.orders}
    travel = leg_for_vehicle(p.travel, is_drone(v), v.speed_mps, v.profile, at[a], at[b], t)
    return travel[1]


def test_a_replan_keeps_locked_stops_first_and_goes_on_from_what_tracking_saw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    day, first = _day(60, seed=3)
    shortened = _spy(monkeypatch, "shorten")
    second = replan(day.problem, first, day.locked, day.now_s, 2.0, 0, day.seen)
    assert shortened, "the re-plan did not run the compiled search"
    assert not second.notes
    hard = promise_windows(day.problem, first)
    assert check_plan(hard, second, served=_served(day)) == []
    routes = {r.vehicle_id: r for r in second.routes}
    assert set(day.locked) <= set(routes)
    for vid, chain in day.locked.items():
        visits = routes[vid].visits
        assert [v.order_id for v in visits[: len(chain)]] == chain
        assert all(v.start >= day.now_s for v in visits[len(chain) :])
        last = day.seen[chain[-1]]
        assert visits[len(chain) - 1].start >= last.at
        if len(visits) > len(chain):
            # Service at the last seen stop, then the drive: nothing earlier.
            leaves = visits[len(chain) - 1].departure
            leg = _next_leg_s(hard, vid, chain[-1], visits[len(chain)].order_id, leaves)
            assert visits[len(chain)].arrival >= leaves + leg - 1
    unlocked = {r.vehicle_id for r in second.routes} - set(day.locked)
    assert all(v.start >= day.now_s for vid in unlocked for v in routes[vid].visits)
    placed = set(second.order_ids())
    assert {o.id for o in day.problem.orders if o.id.startswith("late")} <= placed


def test_a_late_van_s_next_stop_is_timed_from_its_last_seen_stop(build: Any) -> None:
    orders = [build.order(f"o{i}", 100 * i) for i in range(1, 7)]
    p = build.problem([build.vehicle("v0"), build.vehicle("v1")], orders)
    first = build.plan(p)
    v0 = next(r for r in first.routes if r.visits)
    chain = [v.order_id for v in v0.visits[:2]]
    # Seen arriving at its second stop at 5,000 s, far behind the plan.
    seen = {chain[0]: replan_module.StopSeen(4_000, True), chain[1]: replan_module.StopSeen(5_000)}
    second = replan(p, first, {v0.vehicle_id: chain}, 5_000, 1.0, 0, seen)
    assert check_plan(p, second, served=frozenset(chain)) == []
    route = next(r for r in second.routes if r.vehicle_id == v0.vehicle_id)
    assert [v.order_id for v in route.visits[:2]] == chain
    assert route.visits[1].start == 5_000
    if len(route.visits) > 2:
        after = route.visits[2]
        gap = _next_leg_s(p, v0.vehicle_id, chain[1], after.order_id, 5_010)
        assert after.arrival >= 5_000 + 10 + gap - 1


def test_a_replan_runs_the_compiled_search_from_the_previous_routes(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = [build.order(f"o{i}", 15 * (i % 6) - 40, 12 * (i // 6) - 20) for i in range(18)]
    p = build.problem([build.vehicle(f"v{i}") for i in range(3)], orders)
    first = build.plan(p)
    starts: list[Any] = []
    real = plain_search._start

    def seen_start(problem: PlanningProblem, data: Any, budget: Any, initial: Any) -> PlanResult:
        starts.append(initial)
        return real(problem, data, budget, initial)

    monkeypatch.setattr(plain_search, "_start", seen_start)
    ruined = _spy(monkeypatch, "shorten")
    locked = {r.vehicle_id: [r.visits[0].order_id] for r in first.routes}
    second = replan(p, first, locked, first.routes[0].visits[0].departure, 1.0, 0)
    assert ruined and starts
    previous = {r.vehicle_id: [v.order_id for v in r.visits[1:]] for r in first.routes}
    assert {k: list(v) for k, v in starts[0].items() if v} == {
        k: v for k, v in previous.items() if v
    }
    assert check_plan(p, second, served=frozenset(c[0] for c in locked.values())) == []


def test_the_compiled_replan_places_no_fewer_orders_than_or_tools_at_equal_time() -> None:
    # 200 stops on 6 vans, 20 more at noon; measured: the compiled re-plan leaves 0-3 out,
    # OR-Tools with the locks in its model 11-21 (docs/benchmarks.md).
    day, first = _day(200, seed=3, late_orders=20)
    compiled = replan(day.problem, first, day.locked, day.now_s, 3.0, 0, day.seen)
    hard = promise_windows(day.problem, first)
    ortools = replan_with_ortools(hard, first, day.locked, day.now_s, 3.0, day.seen)
    assert check_plan(hard, compiled, served=_served(day)) == []
    assert len(compiled.order_ids()) >= len(ortools.order_ids())


def test_handed_routes_seed_or_tools_when_no_vehicle_starts_at_the_depot(build: Any) -> None:
    # Every van of a re-plan goes on from its last stop: none starts at the depot.
    orders = [build.order(f"o{i}", 100 * i) for i in range(1, 5)]
    vans = [
        build.vehicle("v0", start=Location(0.0, 50.0)),
        build.vehicle("v1", start=Location(0.0, 60.0)),
    ]
    p = build.problem(vans, orders)
    handed = [[3, 0], [2, 1]]  # odd, but feasible: nothing else would make these routes
    result = solve_with(p, SearchSettings(1.0, work_limit=1), initial_routes=handed)
    routes = {r.vehicle_id: [v.order_id for v in r.visits] for r in result.routes}
    assert routes == {"v0": ["o4", "o1"], "v1": ["o3", "o2"]}


def test_the_remainder_starts_a_started_van_at_its_last_locked_stop_with_what_is_left(
    build: Any,
) -> None:
    orders = [
        build.order("a", 100),
        build.order("b", 200),
        build.order("c", 300),
        build.order("gone", 50, windows=(TimeWindow(0, 400),)),
    ]
    ev = build.vehicle("ev", battery_range_m=5_000)
    p = build.problem([ev, build.vehicle("idle")], orders)
    seen = {"b": replan_module.StopSeen(900)}
    part = remainder(p, {"ev": ["a", "b"]}, 1_000, seen)
    started, idle = part.problem.vehicles
    # a: 100 s there, 10 s service; b reached at 210 but seen arriving at 900: leaves at 910.
    assert started.start == orders[1].location
    assert started.shift == TimeWindow(910, 10_000)
    assert started.capacity.parcels == 8
    assert started.battery_range_m == 5_000 - 200
    assert idle.shift.start == 1_000
    assert [o.id for o in part.problem.orders] == ["c"]
    assert [u.order_id for u in part.closed] == ["gone"]
    assert [v.start for v in part.chains["ev"].visits] == [100, 900]
