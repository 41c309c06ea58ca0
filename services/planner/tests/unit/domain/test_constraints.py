"""Each rule of the problem is honoured by the solver (and confirmed by the checker)."""

from __future__ import annotations

from typing import Any

import pytest
from planner.domain.model import Break, Capacity, ReasonCode, TimeWindow, VehicleKind


def test_depot_without_orders_gives_an_empty_plan(build: Any) -> None:
    result = build.plan(build.problem([build.vehicle("v1")], []))
    assert result.routes == ()
    assert result.unplaced == ()


@pytest.mark.parametrize(
    ("demand", "capacity"),
    [
        (Capacity(40.0, 0.0, 0), Capacity(100.0, 1.0, 10)),
        (Capacity(0.0, 0.4, 0), Capacity(100.0, 1.0, 10)),
        (Capacity(0.0, 0.0, 4), Capacity(100.0, 1.0, 10)),
    ],
    ids=["weight", "volume", "parcels"],
)
def test_each_capacity_dimension_limits_the_load(
    build: Any, demand: Capacity, capacity: Capacity
) -> None:
    orders = [build.order(f"o{i}", 10 * (i + 1), demand=demand) for i in range(3)]
    result = build.plan(build.problem([build.vehicle("v1", capacity=capacity)], orders))
    assert len(result.routes[0].visits) == 2
    assert [u.code for u in result.unplaced] == [ReasonCode.FLEET_FULL]


def test_time_windows_decide_the_visiting_order(build: Any) -> None:
    near_late = build.order("near", 10, windows=(TimeWindow(200, 260),))
    far_early = build.order("far", 50, windows=(TimeWindow(40, 80),))
    result = build.plan(build.problem([build.vehicle("v1")], [near_late, far_early]))
    assert [v.order_id for v in result.routes[0].visits] == ["far", "near"]
    assert 200 <= result.routes[0].visits[1].start <= 260


def test_multiple_windows_use_a_later_window_when_the_first_is_missed(build: Any) -> None:
    o = build.order("o", 100, windows=(TimeWindow(0, 50), TimeWindow(400, 500)))
    result = build.plan(build.problem([build.vehicle("v1")], [o]))
    assert 400 <= result.routes[0].visits[0].start <= 500


def test_soft_window_is_served_late_at_a_cost_rather_than_dropped(build: Any) -> None:
    soft = build.order(
        "o", 100, windows=(TimeWindow(0, 50),), soft_windows=True, lateness_cost_per_s=0.01
    )
    result = build.plan(build.problem([build.vehicle("v1")], [soft]))
    assert result.routes[0].visits[0].lateness == 50
    hard = build.order("o", 100, windows=(TimeWindow(0, 50),))
    result = build.plan(build.problem([build.vehicle("v1")], [hard]))
    assert [u.code for u in result.unplaced] == [ReasonCode.WINDOW_UNREACHABLE]


def test_routes_stay_inside_the_shift(build: Any) -> None:
    v = build.vehicle("v1", shift=TimeWindow(1000, 1500))
    orders = [build.order(f"o{i}", 30 * (i + 1)) for i in range(5)]
    result = build.plan(build.problem([v], orders))
    route = result.routes[0]
    assert route.start >= 1000
    assert route.end <= 1500
    assert len(route.visits) == 5


def test_break_is_taken_inside_its_window_between_services(build: Any) -> None:
    v = build.vehicle("v1", breaks=(Break(100, 150, 200),))
    orders = [build.order(f"o{i}", 40 * (i + 1), service_time=30) for i in range(4)]
    result = build.plan(build.problem([v], orders))
    (pause,) = result.routes[0].breaks
    assert 150 <= pause.start <= 200
    assert pause.duration == 100
    for visit in result.routes[0].visits:
        assert visit.departure <= pause.start or visit.start >= pause.start + 100


def test_orders_needing_a_skill_go_to_a_vehicle_with_it(build: Any) -> None:
    fleet = [build.vehicle("plain"), build.vehicle("fridge", skills=frozenset({"cold"}))]
    orders = [build.order("cold", 10, skills=frozenset({"cold"})), build.order("any", 20)]
    result = build.plan(build.problem(fleet, orders))
    assert build.route_of(result, "cold") == "fridge"


def test_high_priority_order_is_kept_when_not_all_fit(build: Any) -> None:
    v = build.vehicle("v1", capacity=Capacity(100.0, 1.0, 1))
    orders = [build.order("low", 10), build.order("high", 90, priority=2)]
    result = build.plan(build.problem([v], orders))
    assert build.route_of(result, "high") == "v1"
    assert [u.order_id for u in result.unplaced] == ["low"]


def test_ev_range_limits_how_far_it_goes(build: Any) -> None:
    ev = build.vehicle("ev", kind=VehicleKind.EV, battery_range_m=150)
    orders = [build.order("near", 50), build.order("far", -100)]
    result = build.plan(build.problem([ev], orders))
    assert build.route_of(result, "near") == "ev"
    assert [(u.order_id, u.code) for u in result.unplaced] == [("far", ReasonCode.OUTSIDE_RANGE)]


def test_ev_range_covers_the_whole_route_not_each_order(build: Any) -> None:
    ev = build.vehicle("ev", kind=VehicleKind.EV, battery_range_m=200)
    orders = [build.order("east", 60), build.order("west", -60)]
    result = build.plan(build.problem([ev], orders))
    assert len(result.routes[0].visits) == 1
    assert result.routes[0].distance_m <= 200


def test_fixed_cost_outweighs_a_lower_price_per_km(build: Any) -> None:
    orders = [build.order("a", 0, 100), build.order("b", 10, 100)]
    frugal = build.vehicle("frugal", cost_per_km=0.5)
    local = build.vehicle("local", cost_per_km=1.0)
    assert [r.vehicle_id for r in build.plan(build.problem([frugal, local], orders)).routes] == [
        "frugal"
    ]
    frugal = build.vehicle("frugal", cost_per_km=0.5, fixed_cost=1000.0)
    assert [r.vehicle_id for r in build.plan(build.problem([frugal, local], orders)).routes] == [
        "local"
    ]


def test_fixed_cost_picks_the_cheaper_vehicle(build: Any) -> None:
    fleet = [build.vehicle("dear", fixed_cost=500.0), build.vehicle("cheap", fixed_cost=5.0)]
    result = build.plan(build.problem(fleet, [build.order("a", 10)]))
    assert [r.vehicle_id for r in result.routes] == ["cheap"]


def test_max_working_time_splits_the_work(build: Any) -> None:
    fleet = [build.vehicle(f"v{i}", max_working_time=300) for i in range(2)]
    orders = [build.order(f"o{i}", 0, 50 + i, service_time=80) for i in range(4)]
    result = build.plan(build.problem(fleet, orders))
    assert sorted(len(r.visits) for r in result.routes) == [2, 2]


def test_load_plan_loads_the_last_stop_first_with_a_shelf_per_stop(build: Any) -> None:
    orders = [build.order(f"o{i}", 10 * (i + 1)) for i in range(6)]
    route = build.plan(build.problem([build.vehicle("v1")], orders)).routes[0]
    ids = [v.order_id for v in route.visits]
    assert list(route.loading_order) == ids[::-1]
    assert [v.load_label for v in route.visits] == ["A1", "A2", "B1", "B2", "C1", "C2"]
