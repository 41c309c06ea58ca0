"""What the routing benchmarks share: random points on the map, and median timings."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from lastmile_common.routing import Point
from lastmile_common.routing.prepare import PreparedMap


def random_points(prepared: PreparedMap, count: int, rng: random.Random) -> list[Point]:
    """Random points in the map's rectangle (the engine puts each on its nearest road)."""
    b = prepared.bounds
    return [
        Point(rng.uniform(b.min_lat, b.max_lat), rng.uniform(b.min_lon, b.max_lon))
        for _ in range(count)
    ]


def median_s(
    call: Callable[[], object], repeat: int, cpu_clock: Callable[[], float] = time.process_time
) -> tuple[float, float]:
    """Median wall and CPU seconds of `repeat` calls (CPU time is what a busy machine keeps);
    `cpu_clock` says whose CPU: the process's (default) or, e.g., `time.thread_time`."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), cpu_clock()
        call()
        wall.append(time.perf_counter() - started)
        cpu.append(cpu_clock() - started_cpu)
    return round(statistics.median(wall), 3), round(statistics.median(cpu), 3)
