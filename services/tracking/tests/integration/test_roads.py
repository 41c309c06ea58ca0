"""Tracking on real roads: the OSRM engine on the Liechtenstein extract (data/osm)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import polyline
from lastmile_common.basemap import road_lines
from lastmile_common.events.base import GeoPoint
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned
from lastmile_common.geo import haversine_m
from lastmile_common.routing import Point, Profile, Router
from lastmile_common.routing.settings import RoutingSettings
from tracking.adapters.roads import RoadTravel
from tracking.domain.eta import EtaConfig, compute_etas
from tracking.domain.fixes import Fix
from tracking.domain.road_path import RoadPath
from tracking.domain.route import RouteState, StopStatus, route_from_event
from tracking.domain.travel import TravelTimes
from tracking.entrypoints.http_track import _TEMPLATE
from tracking.entrypoints.map_view import HEIGHT, WIDTH, build_map
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.service_layer.views import order_view, vehicles_view

from lastmile.testing.roads import SCHAAN, TRIESENBERG, VADUZ

from ..fakes import FakeSink, FakeStore, FakeStream

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 11:00 in Vaduz: the midday bucket
STRAIGHT = TravelTimes()


def planned(
    route_id: str, depot: Point, stops: Sequence[Point], geometry: str | None = None
) -> RoutePlanned:
    """A van's route from `depot` through `stops`."""
    planned_stops = tuple(
        PlannedStop(
            stop_id=f"{route_id}-s{i}",
            sequence=i,
            order_id=f"{route_id}-o{i}",
            location=GeoPoint(lat=p.lat, lon=p.lon),
            # Planned for as soon as the van leaves: no planned start holds an ETA back.
            planned_arrival=T0,
            planned_departure=T0 + timedelta(minutes=2),
            service_time_s=120,
        )
        for i, p in enumerate(stops, start=1)
    )
    return RoutePlanned(
        plan_id="p1",
        route_id=route_id,
        depot_id="d1",
        vehicle_id=f"{route_id}-v",
        vehicle_kind="van",
        service_date="2026-11-24",
        time_zone="Europe/Vaduz",
        depot_location=GeoPoint(lat=depot.lat, lon=depot.lon),
        start_time=T0,
        end_time=T0 + timedelta(hours=3),
        distance_m=0.0,
        duration_s=0.0,
        load=Load(parcels=len(stops)),
        stops=planned_stops,
        geometry=geometry,
    )


class CountingRouter:
    """The real router, counting the calls tracking makes."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.calls: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.router, name)

    def matrix(self, points: Sequence[Point], departure: datetime, profile: Profile) -> Any:
        self.calls.append(("matrix", len(points)))
        return self.router.matrix(points, departure, profile)

    def route(self, stops: Sequence[Point], departure: datetime, profile: Profile) -> Any:
        self.calls.append(("route", len(stops)))
        return self.router.route(stops, departure, profile)


def first_eta_s(route: RouteState, travel: Any, at: datetime = T0) -> float:
    eta = compute_etas(route, VADUZ.lat, VADUZ.lon, at, travel, EtaConfig())[0]
    return (eta.eta - at).total_seconds()


def test_the_winding_road_up_the_hill_makes_a_later_eta_than_straight_lines_say(
    road_router: Router,
) -> None:
    # Schaan lies along the valley road, Triesenberg up a hairpin road: about as far from
    # Vaduz as the crow flies, far apart on roads.
    roads = RoadTravel(road_router, STRAIGHT)
    valley = route_from_event("t", planned("valley", VADUZ, [SCHAAN]), {})
    hill = route_from_event("t", planned("hill", VADUZ, [TRIESENBERG]), {})
    crow = [haversine_m(VADUZ.lat, VADUZ.lon, p.lat, p.lon) for p in (SCHAAN, TRIESENBERG)]
    assert abs(crow[0] - crow[1]) < 300
    straight_ratio = first_eta_s(hill, STRAIGHT) / first_eta_s(valley, STRAIGHT)
    road_ratio = first_eta_s(hill, roads) / first_eta_s(valley, roads)
    assert straight_ratio < 1.1
    assert road_ratio > straight_ratio * 1.2
    # ... and the hill's road ETA is the engine's own figure for that drive.
    drive = road_router.matrix([VADUZ, TRIESENBERG], T0, Profile.CAR).duration(0, 1)
    assert first_eta_s(hill, roads) == drive


def test_one_matrix_call_per_recompute_with_stop_legs_kept_per_route_and_bucket(
    road_router: Router,
) -> None:
    counting = CountingRouter(road_router)
    roads = RoadTravel(counting, STRAIGHT)  # type: ignore[arg-type]
    route = route_from_event("t", planned("r", VADUZ, [SCHAAN, TRIESENBERG, VADUZ]), {})
    compute_etas(route, VADUZ.lat, VADUZ.lon, T0, roads, EtaConfig())
    compute_etas(route, SCHAAN.lat, SCHAAN.lon, T0 + timedelta(minutes=1), roads, EtaConfig())
    evening = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # 17:30 local: the evening rush
    rush = compute_etas(route, VADUZ.lat, VADUZ.lon, evening, roads, EtaConfig())
    # The first in a bucket holds the fix and the 3 stops; later ones only fix -> next stop.
    assert counting.calls == [("matrix", 4), ("matrix", 2), ("matrix", 4)]
    calm = compute_etas(route, VADUZ.lat, VADUZ.lon, T0, roads, EtaConfig())
    assert rush[-1].eta - evening > calm[-1].eta - T0  # rush hour is slower on roads too
    # Parked at the next stop, nothing needs asking: its ETA is its arrival.
    schaan = route.stops[0]
    schaan.status, schaan.arrived_at, route.at_stop = StopStatus.ARRIVED, T0, schaan.stop_id
    calls = len(counting.calls)
    compute_etas(route, SCHAAN.lat, SCHAAN.lon, T0 + timedelta(minutes=1), roads, EtaConfig())
    assert len(counting.calls) == calls


def trace(points: Sequence[tuple[float, float]], start: datetime, speed_mps: float) -> list[Fix]:
    """A fix every 5 s driving along `points` at a steady speed."""
    fixes, clock, carry = [], start, 0.0
    for (lat1, lon1), (lat2, lon2) in pairwise(points):
        length = haversine_m(lat1, lon1, lat2, lon2)
        at = carry
        while at < length:
            f = at / length
            fixes.append(
                Fix(clock, lat1 + (lat2 - lat1) * f, lon1 + (lon2 - lon1) * f, 5.0, speed_mps)
            )
            clock += timedelta(seconds=5)
            at += 5 * speed_mps
        carry = at - length
    return fixes


async def drive(
    road_router: Router, path: list[tuple[float, float]]
) -> tuple[list[Any], dict[str, Any]]:
    """A van on a route from Vaduz to Schaan (road geometry from the router) driving `path`:
    what the dispatchers' stream was told about its route, and their vehicles view after."""
    stream = FakeStream()
    roads = RoadTravel(road_router, STRAIGHT)
    tracker = Tracker(TrackingState(), FakeStore(), FakeSink(), stream, TrackerConfig(), roads)
    await tracker.route_planned(None, "t", planned("r", VADUZ, [SCHAAN]))
    for fix in trace(path, T0, 12.0):
        await tracker.pings(None, "t", "r-v", [fix], fix.time + timedelta(seconds=1))
    watched = ("off_route", "on_route")
    told = [d for _, kind, d in stream.messages if kind == "route" and d["status"] in watched]
    return told, vehicles_view(tracker.state, "t")[0]


async def test_following_the_route_is_on_route_and_a_parallel_road_is_off_route(
    road_router: Router,
) -> None:
    planned_path = polyline.decode(road_router.route([VADUZ, SCHAAN], T0, Profile.CAR).polyline)
    told, vehicle = await drive(road_router, planned_path)
    assert told == [] and vehicle["off_route_since"] is None
    # The same trip by the roads west of the main road, through a point on the Rhine dam road.
    dam = Point(47.1530, 9.4930)
    detour = road_router.route([VADUZ, dam, SCHAAN], T0, Profile.CAR)
    detour_path = polyline.decode(detour.polyline)
    told, vehicle = await drive(road_router, detour_path)
    assert [t["status"] for t in told] == ["off_route", "on_route"]  # it rejoins at Schaan
    # Stopped where the detour is farthest from the route: still off it.
    away = RoadPath(planned_path)
    farthest = max(range(len(detour_path)), key=lambda i: away.distance_m(*detour_path[i]))
    told, vehicle = await drive(road_router, detour_path[: farthest + 1])
    assert told, "the detour was not noticed"
    assert vehicle["off_route_since"] == told[0]["since"]
    assert told[0]["status"] == "off_route"
    assert told[0]["distance_m"] > TrackerConfig().off_route.threshold_m
    assert math.isfinite(told[0]["distance_m"])


async def test_the_tracking_page_draws_the_roads_from_the_van_to_the_customer(
    road_router: Router,
) -> None:
    tracker = Tracker(
        TrackingState(),
        FakeStore(),
        FakeSink(),
        FakeStream(),
        TrackerConfig(),
        RoadTravel(road_router, STRAIGHT),
    )
    await tracker.route_planned(None, "t", planned("r", VADUZ, [SCHAAN, TRIESENBERG]))
    to_schaan = polyline.decode(road_router.route([VADUZ, SCHAAN], T0, Profile.CAR).polyline)
    for fix in trace(to_schaan[: len(to_schaan) // 2], T0, 12.0):
        await tracker.pings(None, "t", "r-v", [fix], fix.time + timedelta(seconds=1))
    van = tracker.state.vehicles["t", "r-v"].last
    assert van is not None
    view = order_view(tracker.state, "t", "r-o1", "r", "r-s1", map_stops_away=3)
    assert view is not None and view.vehicle is not None
    road = view.road
    assert haversine_m(*road[0], van.lat, van.lon) < 30
    assert haversine_m(*road[-1], SCHAAN.lat, SCHAAN.lon) < 150
    along = sum(haversine_m(*a, *b) for a, b in pairwise(road))
    assert along > haversine_m(van.lat, van.lon, SCHAAN.lat, SCHAAN.lon)
    drawn = build_map(view.destination or (0.0, 0.0), view.vehicle, None, road)
    assert len(drawn.road.split()) == len(road)
    html = _TEMPLATE.render(view=view, window="", map=drawn, refresh_s=30, updated=None)
    assert '<polyline id="road"' in html
    assert (
        '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a>' in html
    )


async def test_pings_that_came_before_their_route_cost_one_road_call_not_one_each(
    road_router: Router,
) -> None:
    counting = CountingRouter(road_router)
    roads = RoadTravel(counting, STRAIGHT)  # type: ignore[arg-type]
    tracker = Tracker(
        TrackingState(), FakeStore(), FakeSink(), FakeStream(), TrackerConfig(), roads
    )
    to_schaan = polyline.decode(road_router.route([VADUZ, SCHAAN], T0, Profile.CAR).polyline)
    fixes = trace(to_schaan, T0, 12.0)
    for fix in fixes:
        await tracker.pings(None, "t", "r-v", [fix], fix.time + timedelta(seconds=1))
    geometry = road_router.route([VADUZ, SCHAAN, VADUZ], T0, Profile.CAR).polyline
    await tracker.route_planned(None, "t", planned("r", VADUZ, [SCHAAN], geometry))
    assert tracker.state.routes["r"].started_at is not None
    assert len(fixes) > 20
    # route.started's ETAs from the fix that started it, then the ETAs from the newest fix.
    assert counting.calls == [("matrix", 2), ("matrix", 2)]


def test_the_customer_map_draws_the_streets_around_the_home_from_the_extract() -> None:
    streets = road_lines(RoutingSettings().map_file)
    home, van = (VADUZ.lat, VADUZ.lon), (VADUZ.lat + 0.004, VADUZ.lon + 0.003)
    drawn = build_map(home, van, None, [van, home], streets)
    assert 10 < len(drawn.streets) < len(streets)  # the streets in the frame, not the country
    for _, points in drawn.streets:
        xy = [tuple(map(float, p.split(","))) for p in points.split()]
        # every street drawn reaches into the frame
        assert any(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in xy)
    assert {kind for kind, _ in drawn.streets} >= {"minor"}
    html = _TEMPLATE.render(view=None, window="", map=drawn, refresh_s=30, updated=None)
    assert html.count('<polyline class="street') == len(drawn.streets)
    assert html.index('class="street') < html.index('id="road"')  # under the route
    # No map extract (an http road engine without the file): no streets, the rest as before.
    assert build_map(home, van, None, [van, home]).streets == ()
