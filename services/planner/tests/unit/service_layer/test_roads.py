"""Plans on roads (the embedded map): road legs in the bucket they depart in, no_road_access,
each route's road geometry."""

from __future__ import annotations

import math
from datetime import datetime
from itertools import pairwise
from typing import Any

import polyline
from lastmile_common.events.orders import OrderCreated
from lastmile_common.events.routes import RoutePlanned
from lastmile_common.geo import haversine_m
from lastmile_common.routing import Point, Profile
from planner.service_layer import pending
from planner.service_layer.planning import plan_depot

from lastmile.testing.roads import shared_road_router

from .conftest import DAY, T, at, depot, order, van
from .fakes import FakeUnitOfWork, FakeUnitsOfWork, InlineSolver
from .test_planning import NOW

DEPOT = Point(47.1410, 9.5215)
# 2.7 km from any road a car may use, 440 m from the nearest track: no vehicle gets there.
OFF_ROAD = (47.16, 9.58)
# An alpine track 13 m away, but 2.9 km from the nearest road open to cars.
ON_A_TRACK = (47.08, 9.58)


async def _plan(orders: list[OrderCreated], vehicles: list[Any] | None = None) -> Any:
    uow = FakeUnitOfWork()
    await uow.depots.save(depot())
    for v in vehicles or [van("v1")]:
        await uow.depots.save_vehicle(v)
    for o in orders:
        await pending.record_order(uow, T, o, NOW, "order.created")
    return await plan_depot(
        FakeUnitsOfWork(uow), InlineSolver(), shared_road_router(), T, "d1", DAY,
        preview=True, time_limit_s=0.5, seed=0, grace_s=1,
    )  # fmt: skip


def _stops(route: RoutePlanned) -> list[Point]:
    inner = [Point(s.location.lat, s.location.lon) for s in route.stops]
    return [DEPOT, *inner, DEPOT]


def _metres(a: Point, b: Point) -> float:
    return haversine_m(a.lat, a.lon, b.lat, b.lon)


async def test_a_plan_drives_roads_and_carries_their_geometry() -> None:
    outcome = await _plan([order("o1", dlat=0.02), order("o2", dlat=-0.01)])
    [route] = outcome.routes
    assert outcome.summary.unassigned == ()
    stops = _stops(route)
    straight = sum(_metres(a, b) for a, b in pairwise(stops))
    assert route.distance_m > straight * 1.05  # roads wind; the great-circle line does not
    assert route.geometry is not None
    path = [Point(lat, lon) for lat, lon in polyline.decode(route.geometry, 5)]
    drawn = sum(_metres(a, b) for a, b in pairwise(path))
    assert math.isclose(drawn, route.distance_m, rel_tol=0.05)
    for stop in stops:  # the drawn road passes every stop (at the road point it snaps to)
        assert min(_metres(stop, p) for p in path) < 60


async def test_a_leg_takes_the_time_of_the_bucket_it_departs_in() -> None:
    outcome = await _plan([order("o1", dlat=0.02, start="07:30", end="18:00")])
    [route] = outcome.routes
    [stop] = route.stops
    leaves = route.start_time
    rush = shared_road_router().matrix([DEPOT, _stops(route)[1]], leaves, Profile.CAR)
    assert shared_road_router().traffic.bucket_at(leaves).name == "morning_rush"
    travelled = (stop.planned_arrival - leaves).total_seconds()
    assert travelled == math.ceil(rush.duration(0, 1))
    night = datetime(DAY.year, DAY.month, DAY.day, 23, tzinfo=leaves.tzinfo)
    free = shared_road_router().matrix([DEPOT, _stops(route)[1]], night, Profile.CAR)
    assert rush.duration(0, 1) > free.duration(0, 1)  # the bucket changed the answer


async def test_an_order_off_every_road_is_unassigned_for_no_road_access() -> None:
    outcome = await _plan([order("o1"), order("far", location=OFF_ROAD)])
    assert [s.order_id for r in outcome.routes for s in r.stops] == ["o1"]
    [why] = outcome.summary.unassigned
    assert (why.order_id, why.reason_code) == ("far", "no_road_access")
    assert "no road access" in why.reason


async def test_a_cargo_bike_takes_a_track_a_van_cannot() -> None:
    hut = order("hut", location=ON_A_TRACK)
    by_van = await _plan([hut])
    assert [u.reason_code for u in by_van.summary.unassigned] == ["no_road_access"]
    bike = van("b1", kind="cargo_bike", capacity={"weight_kg": 150, "parcels": 20})
    by_bike = await _plan([hut], [van("v1"), bike])
    assert [(r.vehicle_id, len(r.stops)) for r in by_bike.routes] == [("b1", 1)]


async def test_an_ev_range_counts_road_metres() -> None:
    schaan = Point(47.1650, 9.5095)
    # Out and back on roads, each leg in its slowest bucket of the shift (the solver's view).
    legs = [
        shared_road_router().matrix([DEPOT, schaan], at(hhmm), Profile.CAR)
        for hhmm in ("07:00", "09:30", "16:00", "18:59")
    ]
    road_m = max(m.distance(0, 1) for m in legs) + max(m.distance(1, 0) for m in legs)
    straight_model_m = 1.3 * 2 * _metres(DEPOT, schaan)  # the great-circle model's round trip
    assert 1.1 * road_m < straight_model_m
    hop = order("hop", location=(schaan.lat, schaan.lon))

    def ev(range_m: float) -> Any:
        return van("e1", kind="ev", battery_range_km=range_m / 1000)

    short = await _plan([hop], [ev(0.97 * road_m)])
    assert [u.reason_code for u in short.summary.unassigned] == ["outside_range"]
    # A range the straight-line model would call too short is enough on these roads.
    enough = await _plan([hop], [ev(1.1 * road_m)])
    assert [len(r.stops) for r in enough.routes] == [1]
