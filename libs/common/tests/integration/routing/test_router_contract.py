"""The routing contract, run against both adapters (in-process OSRM and osrm-routed over HTTP)
on the real Liechtenstein extract."""

from __future__ import annotations

import math
from datetime import datetime
from itertools import pairwise
from typing import cast
from zoneinfo import ZoneInfo

import polyline
import pytest
from lastmile_common.geo import haversine_m
from lastmile_common.routing import (
    Point,
    Profile,
    Router,
    RoutingError,
    RoutingSettings,
    open_router,
)
from lastmile_common.routing.worst_case import worst_case_matrix

from lastmile.testing.roads import BALZERS, SCHAAN, TRIESENBERG, VADUZ

TZ = ZoneInfo("Europe/Vaduz")
NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=TZ)
MORNING_RUSH = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
PLACES = [VADUZ, SCHAAN, BALZERS, TRIESENBERG]


@pytest.fixture(params=["in-process", "osrm-routed"])
def router(request: pytest.FixtureRequest) -> Router:
    """Each adapter in turn."""
    name = "road_router" if request.param == "in-process" else "osrm_routed_router"
    return cast(Router, request.getfixturevalue(name))


def test_the_map_bounds_hold_the_towns_and_not_zurich(router: Router) -> None:
    assert all(router.bounds.contains(p) for p in PLACES)
    assert not router.bounds.contains(Point(47.3769, 8.5417))


def test_a_matrix_holds_road_durations_and_distances(router: Router) -> None:
    m = router.matrix(PLACES, NIGHT, Profile.CAR)
    assert m.size == 4
    assert m.bucket == "night"
    for i in range(4):
        assert m.duration(i, i) == 0
        assert m.snap_m[i] < 100  # town centres lie on streets
        for j in range(4):
            if i != j:
                straight = haversine_m(PLACES[i].lat, PLACES[i].lon, PLACES[j].lat, PLACES[j].lon)
                assert m.reachable(i, j)
                assert m.distance(i, j) > straight  # roads are never shorter than the crow flies
                assert 2 < m.distance(i, j) / m.duration(i, j) < 30  # metres per second
    # Triesenberg is up a winding mountain road: much longer than the straight line.
    assert m.distance(0, 3) > 1.6 * haversine_m(
        VADUZ.lat, VADUZ.lon, TRIESENBERG.lat, TRIESENBERG.lon
    )


def test_rush_hour_legs_take_longer_than_at_night(router: Router) -> None:
    night = router.matrix(PLACES, NIGHT, Profile.CAR)
    rush = router.matrix(PLACES, MORNING_RUSH, Profile.CAR)
    assert rush.bucket == "morning_rush"
    for i in range(4):
        for j in range(4):
            if i != j:
                # The default factors slow every road class by 0.6 to 0.85 in the morning rush.
                assert 1.1 < rush.duration(i, j) / night.duration(i, j) < 1.75


def test_bicycles_are_slower_and_not_held_up_by_rush_hour(router: Router) -> None:
    car = router.matrix(PLACES, NIGHT, Profile.CAR)
    night = router.matrix(PLACES, NIGHT, Profile.BICYCLE)
    rush = router.matrix(PLACES, MORNING_RUSH, Profile.BICYCLE)
    assert list(night.durations_s) == list(rush.durations_s)
    assert night.duration(0, 2) > 2 * car.duration(0, 2)


def test_a_route_through_stops_agrees_with_the_matrix(router: Router) -> None:
    stops = [VADUZ, BALZERS, SCHAAN]
    route = router.route(stops, MORNING_RUSH, Profile.CAR)
    m = router.matrix(stops, MORNING_RUSH, Profile.CAR)
    assert route.bucket == "morning_rush"
    assert len(route.legs) == 2
    assert route.legs[0].distance_m == pytest.approx(m.distance(0, 1), rel=0.01)
    assert route.legs[1].duration_s == pytest.approx(m.duration(1, 2), rel=0.01)
    assert route.distance_m == pytest.approx(sum(leg.distance_m for leg in route.legs))


def test_the_route_geometry_follows_the_road_from_first_to_last_stop(router: Router) -> None:
    route = router.route([VADUZ, BALZERS, SCHAAN], NIGHT, Profile.CAR)
    path = polyline.decode(route.polyline)
    assert len(path) > 50
    assert haversine_m(*path[0], VADUZ.lat, VADUZ.lon) < 100
    assert haversine_m(*path[-1], SCHAAN.lat, SCHAAN.lon) < 100
    assert min(haversine_m(*p, BALZERS.lat, BALZERS.lon) for p in path) < 100
    drawn = sum(haversine_m(*a, *b) for a, b in pairwise(path))
    assert drawn == pytest.approx(route.distance_m, rel=0.03)


def test_snapping_tells_how_far_the_nearest_road_is(router: Router) -> None:
    street = router.snap(VADUZ, Profile.CAR)
    assert street.distance_m < 50
    assert street.road_name
    assert haversine_m(street.road_point.lat, street.road_point.lon, VADUZ.lat, VADUZ.lon) == (
        pytest.approx(street.distance_m, abs=1.0)
    )
    # The summit of the Grauspitz (2,599 m), the country's highest point: no road goes there.
    summit = router.snap(Point(47.0546, 9.5864), Profile.CAR)
    assert summit.distance_m > 1000
    outside = router.snap(Point(47.3769, 8.5417), Profile.CAR)  # Zurich, off the map
    assert outside.distance_m > 40_000


def test_a_point_off_the_map_snaps_far_away_in_a_matrix(router: Router) -> None:
    m = router.matrix([VADUZ, Point(47.3769, 8.5417)], NIGHT, Profile.CAR)
    assert m.snap_m[1] > 40_000
    assert not math.isinf(m.duration(0, 1))


def test_bad_requests_are_routing_errors(router: Router) -> None:
    with pytest.raises(RoutingError, match="at least 2"):
        router.route([VADUZ], NIGHT, Profile.CAR)
    with pytest.raises(RoutingError, match="WGS84"):
        router.matrix([VADUZ, Point(95.0, 9.5)], NIGHT, Profile.CAR)
    with pytest.raises(RoutingError, match="time zone"):
        router.matrix([VADUZ, SCHAAN], NIGHT.replace(tzinfo=None), Profile.CAR)


def test_both_adapters_give_the_same_answers(
    road_router: Router, osrm_routed_router: Router
) -> None:
    points = [*PLACES, Point(47.1001, 9.5123), Point(47.2101, 9.5502)]
    for departure in (NIGHT, MORNING_RUSH):
        here = road_router.matrix(points, departure, Profile.CAR)
        there = osrm_routed_router.matrix(points, departure, Profile.CAR)
        assert list(here.durations_s) == list(there.durations_s)
        assert list(here.distances_m) == pytest.approx(list(there.distances_m), abs=0.1)
    here_route = road_router.route(points, MORNING_RUSH, Profile.BICYCLE)
    there_route = osrm_routed_router.route(points, MORNING_RUSH, Profile.BICYCLE)
    assert here_route.polyline == there_route.polyline
    assert here_route.legs == there_route.legs


def test_the_http_backend_is_a_setting_and_says_which_server_failed() -> None:
    settings = RoutingSettings(
        backend="http", url_template="http://127.0.0.1:9/{profile}-{bucket}", http_timeout_s=2
    )
    router = open_router(settings)
    assert router.bounds.contains(VADUZ)  # read from the map file's header
    with pytest.raises(RoutingError, match=r"127\.0\.0\.1:9/car-morning-rush did not answer"):
        router.matrix(PLACES, MORNING_RUSH, Profile.CAR)
    with pytest.raises(RoutingError, match="127.0.0.1:9/bicycle-night did not answer"):
        router.route(PLACES, NIGHT, Profile.BICYCLE)
    only_cars = open_router(settings.model_copy(update={"profiles": (Profile.CAR,)}))
    with pytest.raises(RoutingError, match="no routing server configured for bicycle"):
        only_cars.snap(VADUZ, Profile.BICYCLE)


def test_the_worst_case_is_the_slowest_bucket_met(router: Router) -> None:
    start, end = datetime(2026, 12, 1, 6, 0, tzinfo=TZ), datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    worst = worst_case_matrix(router, PLACES, start, end, Profile.CAR)
    assert worst.bucket == "night+morning_rush+midday"
    met = [router.matrix(PLACES, d, Profile.CAR) for d in (start, MORNING_RUSH, end)]
    for k in range(len(PLACES) ** 2):
        slowest = max(met, key=lambda m: m.durations_s[k])
        assert worst.durations_s[k] == slowest.durations_s[k]
        assert worst.distances_m[k] == slowest.distances_m[k]
    assert list(worst.durations_s) != list(met[0].durations_s)  # the rush is slower than night
    calm = worst_case_matrix(router, PLACES, NIGHT, NIGHT, Profile.CAR)
    assert list(calm.durations_s) == list(router.matrix(PLACES, NIGHT, Profile.CAR).durations_s)
