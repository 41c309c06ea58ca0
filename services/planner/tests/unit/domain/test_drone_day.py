"""Days with drones: the vans' day through the compiled search, drones around it (`drone_step`),
every plan checked by the independent checker."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import pytest
from planner.domain import decompose, drone_step
from planner.domain.checker import check_plan
from planner.domain.drone_legs import flight
from planner.domain.fleet_data import compiled_data
from planner.domain.geo import haversine_m
from planner.domain.model import (
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.ruin_recreate import warm_up
from planner.domain.search import default_settings, solve_with
from planner.domain.solver import solve
from planner.domain.travel import GreatCircleTravelTimes

H = 3600
DEPOT = Location(52.52, 13.40)
LIGHT = Capacity(1.0, 0.005, 1)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _at(east_m: float, north_m: float) -> Location:
    per_deg = 111_195.0
    lon = east_m / (per_deg * math.cos(math.radians(DEPOT.lat)))
    return Location(DEPOT.lat + north_m / per_deg, DEPOT.lon + lon)


def _order(oid: str, east_m: float, north_m: float, **kw: Any) -> Order:
    kw.setdefault("demand", LIGHT)
    kw.setdefault("windows", (TimeWindow(9 * H, 17 * H),))
    return Order(oid, _at(east_m, north_m), service_time=kw.pop("service_time", 120), **kw)


def _van(vid: str, parcels: int = 30, **kw: Any) -> Vehicle:
    kw.setdefault("shift", TimeWindow(8 * H, 18 * H))
    return Vehicle(
        vid, VehicleKind.VAN, Capacity(500, 5, parcels), cost_per_km=0.4, cost_per_hour=28, **kw
    )


def _drone(vid: str, **kw: Any) -> Vehicle:
    kw.setdefault("shift", TimeWindow(8 * H, 18 * H))
    kw.setdefault("fixed_cost", 2.0)
    return Vehicle(
        vid,
        VehicleKind.DRONE,
        Capacity(3, 0.02, 1),
        cost_per_km=0.05,
        cost_per_hour=6,
        speed_mps=15,
        max_radius_m=kw.pop("radius", 5000),
        **kw,
    )


def _day(vehicles: list[Vehicle], orders: list[Order]) -> PlanningProblem:
    depot = Depot("d", DEPOT, TimeWindow(6 * H, 22 * H), 300)
    return PlanningProblem(depot, tuple(vehicles), tuple(orders), GreatCircleTravelTimes())


def _city(n: int, eligible_every: int = 3, seed: int = 3) -> list[Order]:
    """n orders up to ~8 km out in 3-hour windows; every k-th one drone-eligible."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = (9 + rng.randrange(0, 6)) * H
        east, north = rng.uniform(-8000, 8000), rng.uniform(-8000, 8000)
        out.append(
            _order(
                f"o{i}",
                east,
                north,
                windows=(TimeWindow(start, start + 3 * H),),
                drone_eligible=i % eligible_every == 0,
                priority=rng.choice((0, 0, 1)),
            )
        )
    return out


def _checked(p: PlanningProblem, result: PlanResult) -> PlanResult:
    errors = check_plan(p, result)
    assert errors == [], errors
    return result


def _flown(p: PlanningProblem, result: PlanResult) -> dict[str, list[str]]:
    drones = {v.id for v in p.vehicles if v.kind == VehicleKind.DRONE}
    return {
        r.vehicle_id: [x.order_id for x in r.visits]
        for r in result.routes
        if r.vehicle_id in drones
    }


def _left_out(p: PlanningProblem, result: PlanResult) -> int:
    priority = {o.id: o.priority for o in p.orders}
    return sum(10 ** priority[u.order_id] for u in result.unplaced)


def test_a_day_with_drones_goes_through_the_compiled_search(monkeypatch: Any) -> None:
    seen: list[PlanningProblem] = []
    real = drone_step.solve_plain

    def spy(problem: PlanningProblem, *args: Any, **kw: Any) -> PlanResult:
        seen.append(problem)
        return real(problem, *args, **kw)

    monkeypatch.setattr(drone_step, "solve_plain", spy)
    p = _day([_van("v0"), _van("v1"), _drone("d0"), _drone("d1")], _city(40))
    result = _checked(p, solve(p, 2.0, 0))
    assert seen, "the compiled search never ran"
    assert all(v.kind != VehicleKind.DRONE for q in seen for v in q.vehicles)
    assert not result.unplaced


def test_drones_take_eligible_orders_within_radius_and_windows_only() -> None:
    drone = _drone("d0", shift=TimeWindow(10 * H, 18 * H))
    p = _day([drone], [])
    near = _order("near", 2000, 0, drone_eligible=True)
    assert flight(p, drone, near) is not None
    assert flight(p, drone, replace(near, drone_eligible=False)) is None
    assert flight(p, drone, replace(near, location=_at(6000, 0))) is None
    assert flight(p, drone, replace(near, demand=Capacity(4, 0.005, 1))) is None
    assert flight(p, drone, replace(near, demand=Capacity(1, 0.005, 3))) is None  # one parcel
    assert flight(p, drone, replace(near, windows=(TimeWindow(8 * H, 9 * H),))) is None
    late = flight(p, drone, replace(near, windows=(TimeWindow(15 * H, 16 * H),)))
    assert late is not None and late.route.visits[0].start == 15 * H
    # On a whole day: one small van leaves out most orders; the drones may take only the
    # eligible ones within their radius, in their windows.
    orders = [
        _order("ok1", 1500, 500, drone_eligible=True, priority=1),
        _order("ok2", -1000, 2500, drone_eligible=True, priority=1),
        _order("far", 5500, 0, drone_eligible=True, priority=3),
        _order("ground", 800, 800, priority=2),
        _order("too_early", 0, 1200, drone_eligible=True, windows=(TimeWindow(8 * H, 9 * H),)),
        _order("heavy", 0, -1500, drone_eligible=True, demand=Capacity(9, 0.005, 1), priority=2),
    ]
    day = _day(
        [_van("v0", parcels=2), drone, _drone("d1", shift=TimeWindow(10 * H, 18 * H))], orders
    )
    result = _checked(day, solve(day, 1.5, 0))
    flown = {o for ids in _flown(day, result).values() for o in ids}
    assert flown == {"ok1", "ok2"}


def test_a_drone_never_carries_two_orders() -> None:
    orders = [_order(f"o{i}", 300 * i - 1500, 700, drone_eligible=True) for i in range(10)]
    p = _day([_van("v0", parcels=3), _drone("d0"), _drone("d1")], orders)
    result = _checked(p, solve(p, 1.5, 0))
    flown = _flown(p, result)
    assert len(flown) == 2
    assert all(len(ids) == 1 for ids in flown.values())
    assert len(result.unplaced) == 10 - 3 - 2


def test_drones_fly_only_what_saves_more_than_they_cost() -> None:
    # One order 4 km west, the rest east: the van's detour costs more than a cheap drone
    # flight, and less than a drone with a high fixed cost.
    east = [_order(f"e{i}", 2000 + 200 * i, 300 * (i % 3)) for i in range(8)]
    west = _order("west", -4000, 0, drone_eligible=True)
    cheap = _day([_van("v0"), _drone("d0")], [*east, west])
    assert _flown(cheap, _checked(cheap, solve(cheap, 1.5, 0))) == {"d0": ["west"]}
    dear = replace(cheap, vehicles=(_van("v0"), _drone("d0", fixed_cost=50.0)))
    assert _flown(dear, _checked(dear, solve(dear, 1.5, 0))) == {}


def test_never_leaves_out_more_than_or_tools_alone() -> None:
    vans = [_van("v0", parcels=12), _van("v1", parcels=12)]
    p = _day([*vans, *(_drone(f"d{k}") for k in range(3))], _city(36, eligible_every=2))
    ours = _checked(p, solve(p, 2.0, 0))
    alone = _checked(p, solve_with(p, default_settings(len(p.orders), 2.0)))
    assert _flown(p, ours)
    assert _left_out(p, ours) <= _left_out(p, alone)


def test_the_same_plan_under_a_work_limit() -> None:
    p = _day([_van("v0"), _van("v1"), _drone("d0"), _drone("d1")], _city(30))
    first = _checked(p, solve(p, 20.0, 3, work_limit=30))
    again = solve(p, 20.0, 3, work_limit=30)
    assert first.routes == again.routes
    far = [o for o in p.orders if haversine_m(DEPOT, o.location) > 5000]
    assert not {o.id for o in far} & {x for ids in _flown(p, first).values() for x in ids}


def test_each_sector_of_a_large_day_with_drones_gets_the_drone_step(monkeypatch: Any) -> None:
    monkeypatch.setattr(decompose, "SECTOR_SIZE", 15)
    parts: list[int] = []
    real = drone_step.solve_plain

    def spy(problem: PlanningProblem, *args: Any, **kw: Any) -> PlanResult:
        parts.append(len(problem.vehicles))
        return real(problem, *args, **kw)

    monkeypatch.setattr(drone_step, "solve_plain", spy)
    fleet = [*(_van(f"v{k}") for k in range(4)), _drone("d0"), _drone("d1")]
    p = _day(fleet, _city(30))
    result = _checked(p, decompose.solve_by_sectors(p, 4.0, 1))
    assert parts[:2] == [2, 2]
    assert not result.unplaced


def test_orders_the_vans_leave_out_fly_first_by_priority() -> None:
    # The van works 08:00-10:00 only; three eligible orders wait until the afternoon, two drones.
    afternoon = (TimeWindow(14 * H, 16 * H),)
    orders = [
        _order("morning", 1000, 0, windows=(TimeWindow(8 * H, 10 * H),)),
        *(
            _order(f"x{k}", 500 * k, 800, drone_eligible=True, windows=afternoon, priority=k % 3)
            for k in range(3)
        ),
    ]
    drones = [_drone("d0"), _drone("d1")]
    p = _day([_van("v0", shift=TimeWindow(8 * H, 10 * H)), *drones], orders)
    vans = replace(p, vehicles=p.vehicles[:1])
    data = compiled_data(vans)
    assert data is not None
    first = drone_step.solve_plain(vans, data, 1.0, 0, None)
    assert {u.order_id for u in first.unplaced} == {"x0", "x1", "x2"}
    _, flown, _ = drone_step._choose(p, vans, [1, 2], first)
    assert {p.orders[i].id for i in flown} == {"x1", "x2"}
    result = _checked(p, solve(p, 1.5, 0))
    assert [u.order_id for u in result.unplaced] == ["x0"]


def test_a_drone_takes_one_order_where_flights_save_the_vans() -> None:
    # The van has room for all; three lone orders 4 km out each cost it a long detour.
    east = [_order(f"e{i}", 2000 + 200 * i, 300 * (i % 3)) for i in range(8)]
    lone = [
        _order(name, x, y, drone_eligible=True)
        for name, x, y in (("w", -4000, 0), ("n", 0, 4000), ("s", 0, -4000))
    ]
    p = _day([_van("v0"), _drone("d0"), _drone("d1")], [*east, *lone])
    flown = _flown(p, _checked(p, solve(p, 1.5, 0)))
    assert sorted(flown) == ["d0", "d1"]
    assert all(len(ids) == 1 for ids in flown.values())


def test_the_checker_refuses_a_drone_carrying_several_parcels() -> None:
    drone = _drone("d0")
    near = _order("near", 2000, 0, drone_eligible=True)
    p = _day([drone], [near])
    flown = flight(p, drone, near)
    assert flown is not None
    plan = PlanResult((flown.route,), ())
    assert check_plan(p, plan) == []
    three = replace(near, demand=Capacity(1, 0.005, 3))
    errors = check_plan(replace(p, orders=(three,)), plan)
    assert any("one parcel" in e for e in errors), errors


def test_a_drone_day_with_soft_windows_goes_to_or_tools() -> None:
    """The drone step's savings do not price the vans' lateness: such a day is OR-Tools'."""
    orders = _city(12)
    p = _day([_van("v0"), _drone("d0")], orders)
    assert drone_step.solve_with_drones(p, 1.0, 0, 1) is not None
    soft = [replace(orders[0], soft_windows=True, lateness_cost_per_s=0.01), *orders[1:]]
    assert drone_step.solve_with_drones(replace(p, orders=tuple(soft)), 1.0, 0, 1) is None
