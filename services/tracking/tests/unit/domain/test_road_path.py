"""A route's road geometry: distances to it, the cheap search near the last point, pieces."""

import math

import polyline
from tracking.domain.road_path import RoadPath

# A zigzag of 400 segments ~110 m long heading north, 0.001 degrees east and back.
ZIGZAG = [(47.0 + i * 0.001, 9.5 + (i % 2) * 0.001) for i in range(401)]


def test_distance_is_to_the_nearest_segment_not_the_nearest_vertex() -> None:
    path = RoadPath([(47.0, 9.5), (47.01, 9.5)])  # ~1.1 km due north
    assert path.distance_m(47.005, 9.5) < 0.01
    east = path.distance_m(47.005, 9.5 + 0.001)
    assert math.isclose(east, 0.001 * 111_195 * math.cos(math.radians(47.005)), rel_tol=1e-3)
    assert RoadPath.decode(polyline.encode([(47.0, 9.5)], 5)).distance_m(47.0, 9.5) < 0.01


def test_the_cheap_search_is_exact_beyond_enough_and_follows_a_jump() -> None:
    path = RoadPath(ZIGZAG)
    along = [(47.0 + k * 0.0037, 9.5 + dx) for k in range(100) for dx in (0.0004, 0.003)]
    # After the far end, jumps back to the start: on the road, then 100+ m off it.
    for lat, lon in [*along, (47.0005, 9.5005), (47.39, 9.5), (47.0005, 9.5025)]:
        exact = path.distance_m(lat, lon)
        gap = path.gap_m(lat, lon, 60.0)
        if exact > 60.0 or gap > 60.0:
            assert math.isclose(gap, exact, abs_tol=1e-6)
        else:
            assert gap <= 60.0


def test_between_is_the_piece_from_one_point_to_the_other_forward() -> None:
    path = RoadPath(ZIGZAG)
    piece = path.between((47.1, 9.5), (47.2, 9.5))
    assert len(piece) == 102
    assert piece[0] == (47.1, 9.5) and math.isclose(piece[-1][0], 47.2)
    assert len(path.between((47.2, 9.5), (47.1, 9.5))) == 1  # behind: nothing to draw
