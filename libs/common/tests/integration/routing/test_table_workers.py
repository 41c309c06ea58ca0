"""Large tables shared out to worker processes by rows give the same answer as one table in
this process, and a worker killed mid-day costs no table."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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


@pytest.mark.parametrize("idle_s", [0.0, 1.0], ids=["during-the-next-table", "noticed-idle"])
def test_a_killed_worker_costs_no_table(
    prepared: PreparedMap, split_router: EmbeddedRouter, idle_s: float
) -> None:
    points = _points(prepared, PARALLEL_FROM, seed=5)
    before = _workers()
    expected = split_router.matrix(points, MORNING_RUSH, Profile.CAR)
    for pid in _workers() - before:
        os.kill(pid, signal.SIGKILL)
    time.sleep(idle_s)  # the pool marks itself broken once it notices: then submit() refuses
    _same(split_router.matrix(points, MORNING_RUSH, Profile.CAR), expected)  # in this process
    started = _workers()
    _same(split_router.matrix(points, MORNING_RUSH, Profile.CAR), expected)
    assert len(_workers() - started) == 3  # on new workers


def test_tables_from_several_threads_each_get_their_own_answer(
    prepared: PreparedMap, split_router: EmbeddedRouter
) -> None:
    tables = [_points(prepared, PARALLEL_FROM + k, seed=10 + k) for k in range(4)]
    expected = [EmbeddedRouter(prepared).matrix(t, MORNING_RUSH, Profile.CAR) for t in tables]
    with ThreadPoolExecutor(4) as threads:
        got = list(threads.map(lambda t: split_router.matrix(t, MORNING_RUSH, Profile.CAR), tables))
    for a, b in zip(got, expected, strict=True):
        _same(a, b)
