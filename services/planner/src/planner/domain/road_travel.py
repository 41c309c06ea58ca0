"""Road travel for one plan: matrices per vehicle profile and time bucket, asked once per plan.

Pure data (picklable, so the solver's worker process gets it whole): the service layer asks the
routing interface for one matrix over every location of the plan per (profile, time bucket) and
hands it here with the instants, in the plan's seconds since midnight, at which each bucket
starts. A leg's travel time is the one of the bucket it departs in.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from lastmile_common.routing.types import Profile, RoutingError

from planner.domain.geo import Location
from planner.domain.travel import TravelMatrix

# An order farther than this from every road its vehicles may use has no road access: it is
# unassigned (`no_road_access`), never planned on a straight line to some distant road.
MAX_SNAP_M = 300.0


@dataclass(frozen=True)
class RoadTravelTimes:
    """`TravelTimes` from road matrices over `locations`, keyed by (profile, bucket name).

    `boundaries`: (second since the plan's midnight, name of the bucket that starts then),
    ascending; a departure belongs to the last boundary at or before it.
    """

    locations: tuple[Location, ...]
    boundaries: tuple[tuple[int, str], ...]
    matrices: Mapping[tuple[Profile, str], TravelMatrix]
    _index: dict[Location, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {p: i for i, p in enumerate(self.locations)})

    def bucket_at(self, t: int) -> str:
        """The time bucket a leg departing at `t` (seconds since the plan's midnight) is in."""
        starts = [s for s, _ in self.boundaries]
        return self.boundaries[max(0, bisect.bisect_right(starts, t) - 1)][1]

    def buckets_between(self, start_s: int, end_s: int) -> list[str]:
        """Every bucket a departure in [start_s, end_s] may fall in."""
        names = [self.bucket_at(start_s)]
        names += [name for s, name in self.boundaries if start_s < s <= end_s]
        return list(dict.fromkeys(names))

    def matrix(
        self, locations: Sequence[Location], departure_s: int, profile: Profile = Profile.CAR
    ) -> TravelMatrix:
        """Road distances and durations for legs departing at `departure_s`."""
        return self._take(self._full(profile, self.bucket_at(departure_s)), locations)

    def worst_case_matrix(
        self,
        locations: Sequence[Location],
        start_s: int,
        end_s: int,
        profile: Profile = Profile.CAR,
    ) -> TravelMatrix:
        """Per leg, the longest duration and distance of any bucket met in [start_s, end_s]."""
        full = [self._full(profile, b) for b in self.buckets_between(start_s, end_s)]
        worst = TravelMatrix(
            np.maximum.reduce([m.distance_m for m in full]),
            np.maximum.reduce([m.duration_s for m in full]),
            full[0].snap_m,
        )
        return self._take(worst, locations)

    def _full(self, profile: Profile, bucket: str) -> TravelMatrix:
        found = self.matrices.get((profile, bucket))
        if found is None:
            raise RoutingError(f"no road matrix for {profile.value} in time bucket {bucket}")
        return found

    def _take(self, full: TravelMatrix, locations: Sequence[Location]) -> TravelMatrix:
        try:
            idx = np.array([self._index[p] for p in locations], dtype=np.int64)
        except KeyError as exc:
            raise RoutingError(f"{exc.args[0]} is not one of the plan's locations") from None
        grid = np.ix_(idx, idx)
        snap = full.snap_m[idx] if full.snap_m is not None else None
        return TravelMatrix(full.distance_m[grid], full.duration_s[grid], snap)
