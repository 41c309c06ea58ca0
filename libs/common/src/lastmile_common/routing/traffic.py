"""Traffic by time of day: speed factors per road class for each time bucket of the local day."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lastmile_common.routing.types import Profile, RoutingError


class RoadClass(StrEnum):
    """Road classes a speed factor applies to (OSM `highway` values, links with their road)."""

    MOTORWAY = "motorway"
    TRUNK = "trunk"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"
    LOCAL = "local"  # unclassified, residential, living_street, service and the rest


class TimeBucket(BaseModel):
    """A part of the local day, from `start` until the next bucket's start, with its speed factors.

    A factor multiplies the speed the stock OSRM profile gives a road of that class (its free-flow
    speed); a class left out keeps factor 1.
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    start: time
    factors: dict[RoadClass, float] = Field(default_factory=dict)

    @field_validator("factors")
    @classmethod
    def _factors_in_range(cls, factors: dict[RoadClass, float]) -> dict[RoadClass, float]:
        for road_class, factor in factors.items():
            if not 0.05 <= factor <= 2.0:
                raise ValueError(f"the factor of {road_class} must be in [0.05, 2], not {factor}")
        return factors

    def factor(self, road_class: RoadClass) -> float:
        """The speed factor of a road class in this bucket."""
        return self.factors.get(road_class, 1.0)

    def speed_table(self) -> str:
        """The factors as canonical text: buckets with equal tables share one prepared dataset."""
        return ",".join(f"{c.value}={self.factor(c):g}" for c in RoadClass)

    @property
    def is_free_flow(self) -> bool:
        """True if every factor is 1 (the stock profile as it is)."""
        return all(self.factor(c) == 1.0 for c in RoadClass)


def _factors(*values: float) -> dict[RoadClass, float]:
    return dict(zip(RoadClass, values, strict=True))


# The documented defaults (docs/architecture.md, "Roads"): free flow at night; in the rushes the
# through roads that carry the commuters slow most and residential streets least.
#                                 motorway trunk primary secondary tertiary local
DEFAULT_BUCKETS: tuple[TimeBucket, ...] = (
    TimeBucket(name="night", start=time(19), factors={}),
    TimeBucket(
        name="morning_rush", start=time(7), factors=_factors(0.6, 0.6, 0.65, 0.7, 0.75, 0.85)
    ),
    TimeBucket(
        name="midday", start=time(9, 30), factors=_factors(0.85, 0.85, 0.85, 0.85, 0.9, 0.95)
    ),
    TimeBucket(
        name="evening_rush", start=time(16), factors=_factors(0.55, 0.55, 0.6, 0.65, 0.7, 0.85)
    ),
)


class TrafficModel(BaseModel):
    """The time buckets of one region's day, in its time zone, and the profiles they slow down.

    Profiles not in `applies_to` (bicycles by default: cargo bikes pass the queues) route on the
    stock profile in every bucket.
    """

    model_config = ConfigDict(frozen=True)

    timezone: str = "Europe/Vaduz"
    buckets: tuple[TimeBucket, ...] = DEFAULT_BUCKETS
    applies_to: frozenset[Profile] = frozenset({Profile.CAR})

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _distinct_buckets(self) -> TrafficModel:
        if not self.buckets:
            raise ValueError("a traffic model needs at least one time bucket")
        if len({b.name for b in self.buckets}) != len(self.buckets):
            raise ValueError("time bucket names must differ")
        if len({b.start for b in self.buckets}) != len(self.buckets):
            raise ValueError("time buckets must start at different times")
        return self

    def ordered(self) -> tuple[TimeBucket, ...]:
        """The buckets by start time within the day."""
        return tuple(sorted(self.buckets, key=lambda b: b.start))

    def bucket_named(self, name: str) -> TimeBucket:
        """The bucket of that name."""
        for bucket in self.buckets:
            if bucket.name == name:
                return bucket
        raise RoutingError(f"no time bucket named {name!r}")

    def bucket_at(self, departure: datetime) -> TimeBucket:
        """The bucket a leg departing at `departure` (time-zone aware) falls in, by local time."""
        local = self._local(departure).time()
        ordered = self.ordered()
        current = ordered[-1]  # before the first start of the day: yesterday's last bucket
        for bucket in ordered:
            if bucket.start <= local:
                current = bucket
        return current

    def departures_between(self, start: datetime, end: datetime) -> tuple[datetime, ...]:
        """One departure in [start, end] for each bucket met there, earliest first.

        The worst case over a time span is the slowest of the matrices at these departures.
        """
        local_start, local_end = self._local(start), self._local(end)
        found = {self.bucket_at(start).name: start}
        day = local_start.date()
        while day <= local_end.date():
            for bucket in self.ordered():
                boundary = datetime.combine(day, bucket.start, tzinfo=local_start.tzinfo)
                if local_start < boundary <= local_end:
                    found.setdefault(bucket.name, boundary.astimezone(start.tzinfo))
            day += timedelta(days=1)
        return tuple(sorted(found.values()))

    def bucket_for(self, profile: Profile, bucket: TimeBucket) -> TimeBucket:
        """The bucket as `profile` sees it: free flow when traffic does not apply to it."""
        if profile in self.applies_to:
            return bucket
        return TimeBucket(name=bucket.name, start=bucket.start)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise RoutingError("a departure time must carry a time zone")
        return moment.astimezone(ZoneInfo(self.timezone))
