"""The slowest road travel over a span of departures: for checks that must hold whenever a leg
leaves within a time window."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from datetime import datetime

from lastmile_common.routing.protocol import Router
from lastmile_common.routing.types import Point, Profile, RoadMatrix


def worst_case_matrix(
    router: Router, points: Sequence[Point], start: datetime, end: datetime, profile: Profile
) -> RoadMatrix:
    """Element-wise the longest duration (and its distance) of any departure in [start, end].

    `bucket` names every bucket met, joined with `+`.
    """
    departures = router.traffic.departures_between(start, end)
    matrices = [router.matrix(points, departure, profile) for departure in departures]
    worst = matrices[0]
    for other in matrices[1:]:
        slower = [b > a for a, b in zip(worst.durations_s, other.durations_s, strict=True)]
        worst = RoadMatrix(
            size=worst.size,
            durations_s=array("d", map(max, worst.durations_s, other.durations_s)),
            distances_m=array(
                "d",
                (
                    b if s else a
                    for a, b, s in zip(worst.distances_m, other.distances_m, slower, strict=True)
                ),
            ),
            snap_m=worst.snap_m,
            bucket=f"{worst.bucket}+{other.bucket}",
        )
    return worst
