"""Simulated drivers follow the roads they are given, at their own pace, with delays."""

import random
from datetime import UTC, datetime

from lastmile.demo.road_drive import DriverStyle, along, leg_seconds, road_metres, section

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
# An L-shaped street: a straight line from start to end would cut the corner.
PATH = [(47.1400, 9.5100), (47.1400, 9.5200), (47.1450, 9.5200)]


def test_positions_stay_on_the_road_and_end_at_the_stop() -> None:
    positions = along(PATH, T0, 300.0, 10.0)
    assert len(positions) == 30
    for p in positions:
        on_first = abs(p.lat - 47.1400) < 1e-9 and 9.5100 <= p.lon <= 9.5200
        on_second = abs(p.lon - 9.5200) < 1e-9 and 47.1400 <= p.lat <= 47.1450
        assert on_first or on_second
    assert (positions[-1].lat, positions[-1].lon) == PATH[-1]
    assert (positions[-1].at - T0).total_seconds() == 300.0


def test_a_held_up_van_stands_still_for_the_delay() -> None:
    positions = along(PATH, T0, 400.0, 10.0, held_s=120.0, rng=random.Random(3))
    still = [p for p in positions if p.speed_mps == 0.0]
    assert 100 <= 10 * len(still) <= 130
    assert (positions[-1].lat, positions[-1].lon) == PATH[-1]


def test_a_slow_driver_takes_longer_than_planned() -> None:
    rng = random.Random(1)
    slow = DriverStyle(pace=1.3, delays_per_hour=0.0)
    times = [leg_seconds(slow, 600.0, rng)[0] for _ in range(200)]
    assert 1.2 * 600 < sum(times) / len(times) < 1.4 * 600


# A route's path: depot, stop A, stop B, back to the depot past A again.
ROUTE = [(47.1400, 9.5100), (47.1400, 9.5150), (47.1400, 9.5200), (47.1450, 9.5200),
         (47.1400, 9.5200), (47.1400, 9.5150), (47.1400, 9.5100)]  # fmt: skip


def test_a_leg_is_the_piece_of_the_route_between_its_stops() -> None:
    a, b = (47.14001, 9.51501), (47.14499, 9.52001)
    points, end = section(ROUTE, a, b)
    assert points[1:-1] == ROUTE[1:4]  # along the road, not the straight line
    assert end == 3
    assert 900 < road_metres(points) < 980  # ~380 m east, then ~560 m north (straight: ~680 m)
    # Driving back to A from B follows the road back, from where the last leg ended.
    back, _ = section(ROUTE, b, a, end)
    assert back[1:-1] == ROUTE[3:6]


def test_a_leg_without_a_path_is_a_straight_line() -> None:
    assert section([], (47.0, 9.0), (47.1, 9.1)) == ([(47.0, 9.0), (47.1, 9.1)], 0)
