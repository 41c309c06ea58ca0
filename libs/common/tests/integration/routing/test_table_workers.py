"""Large tables shared out to worker processes by rows give the same answer as one table in
this process, and a worker killed mid-day costs no table."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lastmile_common.routing import Point, Profile, RoadMatrix, RoutingSettings
from lastmile_common.routing.embedded import EmbeddedRouter
from lastmile_common.routing.prepare import PreparedMap, prepare_map
from lastmile_common.routing.table_workers import PARALLEL_FROM

from lastmile.testing.roads import TEST_CACHE

MORNING_RUSH = datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Europe/Vaduz"))


@pytest.fixture(scope="module")
def prepared() -> PreparedMap:
    settings = RoutingSettings(cache_dir=TEST_CACHE)
    return prepare_map(settings.map_file, settings.traffic, settings.profiles, TEST_CACHE)


@pytest.fixture
def split_router(prepared: PreparedMap) -> Iterator[EmbeddedRouter]:
    router = EmbeddedRouter(prepared, table_workers=3)
    yield router
    router.close()


def _points(prepared: PreparedMap, count: int, seed: int) -> list[Point]:
    rng, b = random.Random(seed), prepared.bounds
    # Random points over the map's rectangle: some in the mountains, far from any road.
    return [
        Point(rng.uniform(b.min_lat, b.max_lat), rng.uniform(b.min_lon, b.max_lon))
        for _ in range(count)
    ]


def _same(a: RoadMatrix, b: RoadMatrix) -> None:
    assert (a.size, a.bucket) == (b.size, b.bucket)
    assert list(a.durations_s) == list(b.durations_s)
    assert list(a.distances_m) == list(b.distances_m)
    assert a.snap_m == b.snap_m


def _workers() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def test_a_large_table_from_workers_equals_one_table_in_process(
    prepared: PreparedMap, split_router: EmbeddedRouter
) -> None:
    points = _points(prepared, PARALLEL_FROM + 51, seed=3)  # rows do not split evenly
    before = _workers()
    split = split_router.matrix(points, MORNING_RUSH, Profile.CAR)
    assert len(_workers() - before) == 3  # the rows were computed in three worker processes
    alone = EmbeddedRouter(prepared).matrix(points, MORNING_RUSH, Profile.CAR)
    _same(split, alone)
    # The same for another profile and bucket (each worker loads the dataset it is asked for).
    night = MORNING_RUSH.replace(hour=23)
    _same(
        split_router.matrix(points, night, Profile.BICYCLE),
        EmbeddedRouter(prepared).matrix(points, night, Profile.BICYCLE),
    )


def test_a_small_table_stays_in_process(
    prepared: PreparedMap, split_router: EmbeddedRouter
) -> None:
    before = _workers()
    split_router.matrix(_points(prepared, PARALLEL_FROM - 1, seed=4), MORNING_RUSH, Profile.CAR)
    assert not _workers() - before


def test_a_killed_worker_costs_no_table(
    prepared: PreparedMap, split_router: EmbeddedRouter
) -> None:
    points = _points(prepared, PARALLEL_FROM, seed=5)
    before = _workers()
    expected = split_router.matrix(points, MORNING_RUSH, Profile.CAR)
    for pid in _workers() - before:
        os.kill(pid, signal.SIGKILL)
    _same(split_router.matrix(points, MORNING_RUSH, Profile.CAR), expected)  # in this process
    _same(split_router.matrix(points, MORNING_RUSH, Profile.CAR), expected)  # new workers
