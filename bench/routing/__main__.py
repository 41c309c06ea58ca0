"""`python -m bench.routing`: road preparation per time bucket, a 1,000 x 1,000 table and 30-stop
route geometries on the embedded map; prints one JSON line (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lastmile_common.routing import Profile, Router, RoutingSettings, open_router
from lastmile_common.routing.osrm_engine import load_engine, table_parameters
from lastmile_common.routing.osrm_results import lon_lat
from lastmile_common.routing.prepare import PreparedMap, prepare_map

from bench.routing.measure import median_s, random_points
from bench.routing.plans import side_by_side


def _preparation(settings: RoutingSettings) -> tuple[PreparedMap, dict[str, float | None]]:
    """Prepare every dataset into an empty cache (timed), then once more (all from the cache)."""
    with tempfile.TemporaryDirectory(prefix="bench-routing-") as scratch:
        prepared = prepare_map(
            settings.map_file, settings.traffic, settings.profiles, Path(scratch)
        )
        started = time.perf_counter()
        prepare_map(settings.map_file, settings.traffic, settings.profiles, Path(scratch))
        cached_s = time.perf_counter() - started
    served: dict[Path, list[str]] = {}
    for (profile, bucket), dataset in prepared.datasets.items():
        served.setdefault(dataset.path, []).append(f"{profile.value}/{bucket}")
    seconds: dict[str, float | None] = {}
    for path, names in served.items():
        dataset = next(d for d in prepared.datasets.values() if d.path == path)
        label = names[0] if len(names) == 1 else f"{names[0].split('/')[0]}/every bucket"
        seconds[label] = round(dataset.seconds or 0.0, 2)
        seconds[f"{label} cpu"] = round(dataset.cpu_seconds or 0.0, 2)
    seconds["all_from_cache"] = round(cached_s, 3)
    # The datasets were in the scratch folder: route on the kept cache from here on.
    return prepare_map(
        settings.map_file, settings.traffic, settings.profiles, settings.cache_dir
    ), seconds


@dataclass(frozen=True)
class Options:
    """What to measure: the table's size, the routes drawn, the timings' repeats."""

    table_size: int = 1000
    routes: int = 50
    stops: int = 30
    repeat: int = 5
    seed: int = 12
    plan_time_limit_s: float = 20.0


def run(options: Options) -> dict[str, Any]:
    """Every figure of the benchmark, on the router the planner and tracking open."""
    settings = RoutingSettings()
    prepared, prepare_s = _preparation(settings)
    router = open_router(settings)  # the map is in the cache now: only loaded
    try:
        return {
            "benchmark": "routing",
            "map": settings.map_file.name,
            "prepare_s": prepare_s,
            **_tables(settings, prepared, router, options),
            "plans": side_by_side(router, time_limit_s=options.plan_time_limit_s),
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
    finally:
        router.close()


def _tables(
    settings: RoutingSettings, prepared: PreparedMap, router: Router, options: Options
) -> dict[str, Any]:
    rng = random.Random(options.seed)
    departure = datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo(settings.traffic.timezone))
    points = random_points(prepared, options.table_size, rng)
    # The first large table also starts the table workers and loads the dataset in each.
    first_s = median_s(lambda: router.matrix(points, departure, Profile.CAR), 1)
    table_s = median_s(lambda: router.matrix(points, departure, Profile.CAR), options.repeat)
    engine = load_engine(prepared.datasets[Profile.CAR, "morning_rush"].path)
    params = table_parameters(lon_lat(points))  # what the router asks for
    engine_s = median_s(lambda: engine.Table(params), options.repeat)
    tours = [random_points(prepared, options.stops, rng) for _ in range(options.routes)]
    route_s = median_s(lambda: [router.route(t, departure, Profile.CAR) for t in tours], 1)
    return {
        "table_points": options.table_size,
        "table_workers": settings.table_worker_count(),
        "table_first_s": first_s[0],
        "table_s": table_s[0],
        "table_caller_cpu_s": table_s[1],
        "table_engine_only_s": engine_s[0],
        "table_engine_only_cpu_s": engine_s[1],
        "table_goal_s": 0.5,
        "route_stops": options.stops,
        "route_ms": round(route_s[0] * 1000 / options.routes, 2),
        "route_cpu_ms": round(route_s[1] * 1000 / options.routes, 2),
    }


def main() -> None:
    """Parse the options, run, print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.routing", description=__doc__)
    parser.add_argument("--table-size", type=int, default=1000)
    parser.add_argument("--routes", type=int, default=50, help="30-stop routes to draw")
    parser.add_argument("--stops", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5, help="tables timed (median)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--plan-time-limit", type=float, default=20.0, help="solver seconds per side-by-side plan"
    )
    args = parser.parse_args()
    figures = run(
        Options(
            args.table_size, args.routes, args.stops, args.repeat, args.seed, args.plan_time_limit
        )
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
