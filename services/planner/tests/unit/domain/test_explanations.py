"""Every unplaced order gets the reason code of the constraint that binds, and a sentence."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from planner.domain.model import (
    Capacity,
    Depot,
    Location,
    ReasonCode,
    TimeWindow,
    Unplaced,
    VehicleKind,
)
from planner.domain.travel import GreatCircleTravelTimes


def _only_unplaced(build: Any, vehicles: list[Any], orders: list[Any]) -> Unplaced:
    result = build.plan(build.problem(vehicles, orders))
    (unplaced,) = result.unplaced
    assert unplaced.order_id == "x"
    assert "x" in unplaced.message
    return unplaced


def test_window_unreachable(build: Any) -> None:
    o = build.order("x", 500, windows=(TimeWindow(0, 100),))
    u = _only_unplaced(build, [build.vehicle("v")], [o])
    assert u.code == ReasonCode.WINDOW_UNREACHABLE
    assert "window" in u.message


def test_too_heavy(build: Any) -> None:
    o = build.order("x", 10, demand=Capacity(500.0, 0.1, 1))
    u = _only_unplaced(build, [build.vehicle("v")], [o])
    assert u.code == ReasonCode.TOO_HEAVY
    assert "500 kg" in u.message


def test_too_large(build: Any) -> None:
    o = build.order("x", 10, demand=Capacity(1.0, 3.0, 1))
    u = _only_unplaced(build, [build.vehicle("v")], [o])
    assert u.code == ReasonCode.TOO_LARGE


def test_skill_missing(build: Any) -> None:
    o = build.order("x", 10, skills=frozenset({"two-person lift"}))
    u = _only_unplaced(build, [build.vehicle("v")], [o])
    assert u.code == ReasonCode.SKILL_MISSING
    assert "two-person lift" in u.message


def test_outside_range(build: Any) -> None:
    ev = build.vehicle("ev", kind=VehicleKind.EV, battery_range_m=1000)
    u = _only_unplaced(build, [ev], [build.order("x", 600)])
    assert u.code == ReasonCode.OUTSIDE_RANGE


def test_shift_too_short(build: Any) -> None:
    v = build.vehicle("v", shift=TimeWindow(0, 300))
    u = _only_unplaced(build, [v], [build.order("x", 200)])
    assert u.code == ReasonCode.SHIFT_TOO_SHORT


def test_fleet_full(build: Any) -> None:
    v = build.vehicle("v", capacity=Capacity(100.0, 1.0, 2))
    orders = [build.order("a", 10), build.order("b", 20), build.order("x", 300)]
    u = _only_unplaced(build, [v], orders)
    assert u.code == ReasonCode.FLEET_FULL


def test_the_vehicle_that_gets_furthest_names_the_reason(build: Any) -> None:
    skilled_but_small = build.vehicle(
        "small", skills=frozenset({"cold"}), capacity=Capacity(5.0, 1.0, 10)
    )
    big_without_skill = build.vehicle("big", capacity=Capacity(1000.0, 1.0, 10))
    o = build.order("x", 10, skills=frozenset({"cold"}), demand=Capacity(50.0, 0.1, 1))
    u = _only_unplaced(build, [skilled_but_small, big_without_skill], [o])
    assert u.code == ReasonCode.TOO_HEAVY


def _drone_problem(build: Any, orders: list[Any]) -> Any:
    depot = Depot("d", Location(52.52, 13.40), TimeWindow(0, 86_400))
    drone = build.vehicle(
        "drone",
        kind=VehicleKind.DRONE,
        capacity=Capacity(2.0, 0.01, 1),
        speed_mps=15.0,
        max_radius_m=5000,
        shift=TimeWindow(0, 86_400),
    )
    return build.problem([drone], orders, depot=depot, travel=GreatCircleTravelTimes())


def _near(build: Any, oid: str, dlat: float, **kw: Any) -> Any:
    o = build.order(oid, 0, windows=(TimeWindow(0, 86_400),), drone_eligible=True, **kw)
    return replace(o, location=Location(52.52 + dlat, 13.40))


def test_drone_rules(build: Any) -> None:
    light = Capacity(1.0, 0.001, 1)
    orders = [
        _near(build, "ok", 0.01, demand=light),
        _near(build, "far", 0.10, demand=light),
        _near(build, "heavy", 0.01, demand=Capacity(5.0, 0.001, 1)),
        _near(build, "second", 0.02, demand=light),
    ]
    ineligible = build.order("not_eligible", 0, windows=(TimeWindow(0, 86_400),))
    ineligible = replace(ineligible, location=Location(52.53, 13.40))
    p = _drone_problem(build, [*orders, ineligible])
    result = build.plan(p)
    (route,) = result.routes
    assert len(route.visits) == 1
    assert route.visits[0].order_id in {"ok", "second"}
    codes = {u.order_id: u.code for u in result.unplaced}
    assert codes["far"] == ReasonCode.OUTSIDE_RANGE
    assert codes["heavy"] == ReasonCode.TOO_HEAVY
    assert codes["not_eligible"] == ReasonCode.SKILL_MISSING
    assert sorted(codes).count("ok") + sorted(codes).count("second") == 1
