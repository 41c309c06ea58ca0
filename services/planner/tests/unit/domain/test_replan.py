"""Re-planning keeps served and in-progress stops where they are."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from planner.domain.checker import check_plan
from planner.domain.model import TimeWindow
from planner.domain.replan import StopSeen, replan


def test_locked_stops_never_move_and_new_orders_are_placed_after_now(build: Any) -> None:
    orders = [build.order(f"o{i}", 15 * (i % 6) - 40, 12 * (i // 6) - 20) for i in range(18)]
    fleet = [
        build.vehicle(f"v{i}", capacity=replace(build.vehicle("x").capacity, parcels=7))
        for i in range(3)
    ]
    p = build.problem(fleet, orders)
    first = build.plan(p)
    locked = {r.vehicle_id: [v.order_id for v in r.visits[:2]] for r in first.routes}
    now = max(r.visits[1].departure for r in first.routes)
    extra = [build.order("late1", 35, 35), build.order("late2", -35, 30)]
    p2 = build.problem(fleet, [*orders, *extra])
    second = replan(p2, first, locked, now, time_limit_s=1.0, seed=0)
    assert check_plan(p2, second) == []
    by_vehicle = {r.vehicle_id: r for r in second.routes}
    for vid, chain in locked.items():
        assert [v.order_id for v in by_vehicle[vid].visits[: len(chain)]] == chain
        for visit in by_vehicle[vid].visits[len(chain) :]:
            assert visit.start >= now
    assert {"late1", "late2"} <= set(second.order_ids())


def test_promised_soft_windows_become_hard_on_replan(build: Any) -> None:
    soft = build.order("s", 30, windows=(TimeWindow(0, 500),), soft_windows=True)
    p = build.problem([build.vehicle("v")], [soft])
    first = build.plan(p)
    second = replan(p, first, {}, now_s=600, time_limit_s=0.5, seed=0)
    assert [u.order_id for u in second.unplaced] == ["s"]


def test_a_stop_served_after_its_window_closed_stays_locked_and_the_rest_replans(
    build: Any,
) -> None:
    early = build.order("early", 300, windows=(TimeWindow(0, 100),))  # unreachable in time
    others = [build.order(f"o{i}", 20 * i) for i in range(1, 6)]
    p = build.problem([build.vehicle("v0"), build.vehicle("v1")], [early, *others])
    first = build.plan(p)
    assert "early" in {u.order_id for u in first.unplaced}
    # A late vehicle served it anyway (the driver's completion is what happened).
    second = replan(p, first, {"v0": ["early"]}, now_s=400, time_limit_s=0.5, seed=0)
    assert second.status == "ok"
    v0 = next(r for r in second.routes if r.vehicle_id == "v0")
    assert v0.visits[0].order_id == "early"
    assert {f"o{i}" for i in range(1, 6)} <= set(second.order_ids())


def test_a_started_vehicle_goes_on_from_where_and_when_tracking_last_saw_it(build: Any) -> None:
    soon, later = (TimeWindow(0, 300),), (TimeWindow(500, 10_000),)
    orders = [
        build.order("o1", 10, windows=soon),
        build.order("o2", 20, windows=soon),
        build.order("o3", 100, windows=later),
    ]
    p = build.problem([build.vehicle("v0")], orders)
    first = build.plan(p)
    assert first.order_ids() == ["o1", "o2", "o3"]
    # Planned at o2 around 30 s; the driver was held up and arrived there at 3,000 s.
    late = {"o1": StopSeen(2_000, finished=True), "o2": StopSeen(3_000)}
    second = replan(p, first, {"v0": ["o1", "o2"]}, 3_000, 1.0, 0, seen=late)
    o1, o2, o3 = second.routes[0].visits
    assert (o1.order_id, o2.order_id, o3.order_id) == ("o1", "o2", "o3")
    assert o1.start >= 2_000 - 10
    assert o2.start >= 3_000
    # Service at o2 (10 s) and the drive to o3 (80 s) come after the arrival tracking saw.
    assert o3.start >= 3_000 + 10 + 80
