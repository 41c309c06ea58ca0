"""`python -m bench.eta`: ETAs a customer can trust? Several simulated days on the map.

Each day: addresses on real streets, routes planned on the road engine, drivers who follow the
roads at a pace of their own (slower or faster than planned, noisy legs, occasional jams, late
starts, noisy service times), fed through tracking's own entry points in process. Prints per
horizon (60, 30, 10 min ahead) the ETA error p50/p90 and bias, the window hit rate and mean
width, and per day the on-time rate and "ETA changed" messages per order (notifier's triggers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import date, timedelta
from typing import Any

from lastmile_common.routing import RoutingSettings, open_router
from notifier.domain.config import Triggers
from tracking.adapters.roads import RoadTravel
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.state import TrackingState

from bench.eta.day import run_day
from bench.eta.plan import plan_day
from bench.eta.score import (
    HORIZONS_MIN,
    eta_changed_counts,
    eta_updated_per_order,
    horizon_rows,
    on_time_rate,
    summary,
)


def main() -> None:
    """Run the days and print the figures (a table, then one JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--orders", type=int, default=150)
    parser.add_argument("--vans", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1, help="the first day's seed")
    parser.add_argument(
        "--fresh-days",
        action="store_true",
        help="each day on a tracker that knows no earlier day (default: one after the other, "
        "as a running service keeps them)",
    )
    args = parser.parse_args()
    state = TrackingState()
    router = open_router(RoutingSettings())
    config = TrackerConfig()
    rows: dict[int, list[Any]] = {h: [] for h in HORIZONS_MIN}
    days: list[dict[str, Any]] = []
    for seed in range(args.seed, args.seed + args.days):
        began = time.perf_counter()
        served = date(2026, 12, 1) + timedelta(days=seed - args.seed)  # successive days
        day = plan_day(router, seed, args.orders, args.vans, served)
        kept = TrackingState() if args.fresh_days else state
        roads = RoadTravel(router, config.travel)
        events, truth = asyncio.run(run_day(day, roads, seed, config, kept))
        per_day = horizon_rows(events, truth)
        for minutes, found in per_day.items():
            rows[minutes].extend(found)
        counts = list(eta_changed_counts(events, Triggers()).values())
        days.append({
            "seed": seed,
            "stops": len(truth.arrivals),
            "on_time_rate": round(on_time_rate(truth), 3),
            "eta_changed_mean": round(statistics.fmean(counts), 2) if counts else 0.0,
            "eta_changed_max": max(counts, default=0),
            "eta_updated_per_order": round(eta_updated_per_order(events), 1),
            "driver_pace": sorted(round(s.pace, 2) for s in truth.styles.values()),
            "horizons": {str(h): summary(found) for h, found in per_day.items()},
            "seconds": round(time.perf_counter() - began, 1),
        })  # fmt: skip
    horizons = {str(h): summary(found) for h, found in rows.items()}
    print("horizon  stops  p50   p90   bias  hit    width  hit&<=30min  misses (ahead of plan)")
    for h, s in horizons.items():
        if s["stops"]:
            print(f"{h:>4} min {s['stops']:>5}  {s['p50_min']:>4}  {s['p90_min']:>4}  "
                  f"{s['bias_min']:>5}  {s['hit_rate']:.3f}  {s['mean_width_min']:>5}  "
                  f"{s['hit_narrow_rate']:.3f}        {s['misses']} ({s['misses_ahead_of_plan']})")  # fmt: skip
    print("median over the days (each day's figure, then the median):")
    for h, line in medians(days).items():
        print(f"{h:>4} min  " + "  ".join(f"{k} {v}" for k, v in line.items()))
    for d in days:
        print(f"day seed {d['seed']}: {d['stops']} stops, on time {d['on_time_rate']:.3f}, "
              f"ETA changed per order {d['eta_changed_mean']} (max {d['eta_changed_max']}), "
              f"eta.updated per order {d['eta_updated_per_order']}, driver pace {d['driver_pace']}, {d['seconds']} s")  # fmt: skip
    print(json.dumps({"horizons": horizons, "medians": medians(days), "days": days}))


def medians(days: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per horizon, the median over the days of each day's figures."""
    out: dict[str, dict[str, float]] = {}
    for h in map(str, HORIZONS_MIN):
        found = [d["horizons"][h] for d in days if d["horizons"][h]["stops"]]
        if found:
            keys = (
                "p50_min",
                "p90_min",
                "bias_min",
                "hit_rate",
                "mean_width_min",
                "hit_narrow_rate",
            )
            out[h] = {k: round(statistics.median(f[k] for f in found), 3) for k in keys}
    return out


if __name__ == "__main__":
    main()
