"""The planner's distance matrix is lastmile_common's one haversine, vectorised."""

from __future__ import annotations

import pytest
from lastmile_common.geo import haversine_m
from planner.domain.geo import Location, haversine_matrix
from planner.domain.geo import haversine_m as planner_haversine_m

POINTS = [Location(52.52, 13.405), Location(48.137, 11.575), Location(-33.87, 151.21)]


def test_matrix_entries_equal_the_shared_haversine() -> None:
    matrix = haversine_matrix(POINTS)
    for i, a in enumerate(POINTS):
        for j, b in enumerate(POINTS):
            assert matrix[i, j] == pytest.approx(haversine_m(a.lat, a.lon, b.lat, b.lon), rel=1e-12)
            assert planner_haversine_m(a, b) == haversine_m(a.lat, a.lon, b.lat, b.lon)


def test_berlin_to_munich_is_about_504_km() -> None:
    assert haversine_m(52.52, 13.405, 48.137, 11.575) == pytest.approx(504_200, rel=2e-3)
