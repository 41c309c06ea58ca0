"""Road travel of one plan as data: the bucket a departure falls in, the worst case over a span."""

from __future__ import annotations

import math

import numpy as np
import pytest
from lastmile_common.routing import Profile, RoutingError
from planner.domain.geo import Location
from planner.domain.road_travel import RoadTravelTimes
from planner.domain.travel import TravelMatrix

A, B = Location(47.14, 9.52), Location(47.16, 9.51)


def _m(ab: float, ba: float, metres: float) -> TravelMatrix:
    return TravelMatrix(
        np.array([[0.0, metres], [metres + 100, 0.0]]),
        np.array([[0.0, ab], [ba, 0.0]]),
        np.array([5.0, 40.0]),
    )


TRAVEL = RoadTravelTimes(
    (A, B),
    ((-18_000, "night"), (25_200, "morning_rush"), (34_200, "midday"), (68_400, "night")),
    {
        (Profile.CAR, "night"): _m(300, 320, 2000),
        (Profile.CAR, "morning_rush"): _m(500, 400, 2100),
        (Profile.CAR, "midday"): _m(350, math.inf, 2000),
    },
)


def test_a_leg_takes_the_matrix_of_the_bucket_it_departs_in() -> None:
    assert TRAVEL.matrix([A, B], 25_199).duration_s[0, 1] == 300
    assert TRAVEL.matrix([A, B], 25_200).duration_s[0, 1] == 500
    assert TRAVEL.matrix([B, A], 40_000).duration_s[0, 1] == math.inf  # no road back at midday
    assert TRAVEL.matrix([B, A], 70_000).duration_s[0, 1] == 320  # night again
    assert list(TRAVEL.matrix([B, A], 0).snap_m) == [40.0, 5.0]  # rows follow the order asked


def test_the_worst_case_takes_each_leg_at_its_slowest_bucket_of_the_span() -> None:
    worst = TRAVEL.worst_case_matrix([A, B], 20_000, 30_000)  # night, then morning rush
    assert (worst.duration_s[0, 1], worst.duration_s[1, 0]) == (500, 400)
    assert worst.distance_m[0, 1] == 2100
    assert TRAVEL.worst_case_matrix([A, B], 0, 20_000).duration_s[0, 1] == 300  # night only
    assert TRAVEL.worst_case_matrix([A, B], 0, 50_000).duration_s[1, 0] == math.inf


def test_a_place_or_a_profile_the_plan_did_not_ask_for_is_an_error() -> None:
    with pytest.raises(RoutingError, match="not one of the plan's locations"):
        TRAVEL.matrix([A, Location(0, 0)], 0)
    with pytest.raises(RoutingError, match="no road matrix for bicycle"):
        TRAVEL.matrix([A, B], 0, Profile.BICYCLE)
