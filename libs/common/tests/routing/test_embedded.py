"""The in-process OSRM adapter on the real Liechtenstein extract."""

from __future__ import annotations

import math
from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import polyline
import pytest
from lastmile_common.routing import Point, Profile, Router, RoutingError
from lastmile_common.travel_profile import haversine_m

from lastmile.testing.roads import BALZERS, SCHAAN, TRIESENBERG, VADUZ

TZ = ZoneInfo("Europe/Vaduz")
NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=TZ)
MORNING_RUSH = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
PLACES = [VADUZ, SCHAAN, BALZERS, TRIESENBERG]


def test_the_map_bounds_hold_the_towns_and_not_zurich(road_router: Router) -> None:
    assert all(road_router.bounds.contains(p) for p in PLACES)
    assert not road_router.bounds.contains(Point(47.3769, 8.5417))


def test_a_matrix_holds_road_durations_and_distances(road_router: Router) -> None:
    m = road_router.matrix(PLACES, NIGHT, Profile.CAR)
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


def test_rush_hour_legs_take_longer_than_at_night(road_router: Router) -> None:
    night = road_router.matrix(PLACES, NIGHT, Profile.CAR)
    rush = road_router.matrix(PLACES, MORNING_RUSH, Profile.CAR)
    assert rush.bucket == "morning_rush"
    for i in range(4):
        for j in range(4):
            if i != j:
                # The default factors slow every road class by 0.6 to 0.85 in the morning rush.
                assert 1.1 < rush.duration(i, j) / night.duration(i, j) < 1.75


def test_bicycles_are_slower_and_not_held_up_by_rush_hour(road_router: Router) -> None:
    car = road_router.matrix(PLACES, NIGHT, Profile.CAR)
    night = road_router.matrix(PLACES, NIGHT, Profile.BICYCLE)
    rush = road_router.matrix(PLACES, MORNING_RUSH, Profile.BICYCLE)
    assert list(night.durations_s) == list(rush.durations_s)
    assert night.duration(0, 2) > 2 * car.duration(0, 2)


def test_a_route_through_stops_agrees_with_the_matrix(road_router: Router) -> None:
    stops = [VADUZ, BALZERS, SCHAAN]
    route = road_router.route(stops, MORNING_RUSH, Profile.CAR)
    m = road_router.matrix(stops, MORNING_RUSH, Profile.CAR)
    assert route.bucket == "morning_rush"
    assert len(route.legs) == 2
    assert route.legs[0].distance_m == pytest.approx(m.distance(0, 1), rel=0.01)
    assert route.legs[1].duration_s == pytest.approx(m.duration(1, 2), rel=0.01)
    assert route.distance_m == pytest.approx(sum(leg.distance_m for leg in route.legs))


def test_the_route_geometry_follows_the_road_from_first_to_last_stop(road_router: Router) -> None:
    route = road_router.route([VADUZ, BALZERS, SCHAAN], NIGHT, Profile.CAR)
    path = polyline.decode(route.polyline)
    assert len(path) > 50
    assert haversine_m(*path[0], VADUZ.lat, VADUZ.lon) < 100
    assert haversine_m(*path[-1], SCHAAN.lat, SCHAAN.lon) < 100
    assert min(haversine_m(*p, BALZERS.lat, BALZERS.lon) for p in path) < 100
    drawn = sum(haversine_m(*a, *b) for a, b in pairwise(path))
    assert drawn == pytest.approx(route.distance_m, rel=0.03)


def test_snapping_tells_how_far_the_nearest_road_is(road_router: Router) -> None:
    street = road_router.snap(VADUZ, Profile.CAR)
    assert street.distance_m < 50
    assert street.road_name
    assert haversine_m(street.road_point.lat, street.road_point.lon, VADUZ.lat, VADUZ.lon) == (
        pytest.approx(street.distance_m, abs=1.0)
    )
    # The summit of the Grauspitz (2,599 m), the country's highest point: no road goes there.
    summit = road_router.snap(Point(47.0546, 9.5864), Profile.CAR)
    assert summit.distance_m > 1000
    outside = road_router.snap(Point(47.3769, 8.5417), Profile.CAR)  # Zurich, off the map
    assert outside.distance_m > 40_000


def test_a_point_off_the_map_snaps_far_away_in_a_matrix(road_router: Router) -> None:
    m = road_router.matrix([VADUZ, Point(47.3769, 8.5417)], NIGHT, Profile.CAR)
    assert m.snap_m[1] > 40_000
    assert not math.isinf(m.duration(0, 1))


def test_bad_requests_are_routing_errors(road_router: Router) -> None:
    with pytest.raises(RoutingError, match="at least 2"):
        road_router.route([VADUZ], NIGHT, Profile.CAR)
    with pytest.raises(RoutingError, match="WGS84"):
        road_router.matrix([VADUZ, Point(95.0, 9.5)], NIGHT, Profile.CAR)
    with pytest.raises(RoutingError, match="time zone"):
        road_router.matrix([VADUZ, SCHAAN], NIGHT.replace(tzinfo=None), Profile.CAR)
