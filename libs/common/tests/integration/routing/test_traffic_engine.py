"""Speed factors on the real engine: a bucket's factors scale its durations, not its roads."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from lastmile_common.routing import Profile, RoadClass, TimeBucket, TrafficModel
from lastmile_common.routing.embedded import EmbeddedRouter
from lastmile_common.routing.prepare import prepare_map
from lastmile_common.routing.settings import embedded_map

from lastmile.testing.roads import BALZERS, SCHAAN, TRIESENBERG, VADUZ

HALF = dict.fromkeys(RoadClass, 0.5)
TZ = ZoneInfo("Europe/Vaduz")


def test_halving_every_speed_doubles_the_driving_time(tmp_path: Path) -> None:
    traffic = TrafficModel(
        buckets=(
            TimeBucket(name="free", start=time(0)),
            TimeBucket(name="half", start=time(12), factors=HALF),
        )
    )
    router = EmbeddedRouter(prepare_map(embedded_map(), traffic, [Profile.CAR], tmp_path))
    places = [VADUZ, SCHAAN, BALZERS, TRIESENBERG]
    free = router.matrix(places, datetime(2026, 12, 1, 11, 59, tzinfo=TZ), Profile.CAR)
    half = router.matrix(places, datetime(2026, 12, 1, 12, 0, tzinfo=TZ), Profile.CAR)
    assert (free.bucket, half.bucket) == ("free", "half")
    for i in range(len(places)):
        for j in range(len(places)):
            if i != j:
                # Turn and traffic-signal delays are not speeds: the ratio stays just under 2.
                assert 1.8 < half.duration(i, j) / free.duration(i, j) <= 2.0
                # Every road slowed alike: the same roads are taken.
                assert abs(half.distance(i, j) - free.distance(i, j)) < 0.01 * free.distance(i, j)
