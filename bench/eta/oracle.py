"""`python -m bench.eta.oracle`: the ETA error no model can beat on bench.eta's days.

A diagnostic, not a model: for every stop, at exactly `--horizon` minutes before its arrival, it
predicts the arrival from everything that happened until then and from each driver's true style
(which tracking never sees): the expected rest of the leg or service in progress given the time
already spent in it, then the true mean of every leg, wait and service up to the stop. What is
left is the noise of the simulated day itself: the floor of bench.eta's error figures.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from datetime import date, datetime, timedelta
from statistics import NormalDist

from lastmile_common.routing import RoutingSettings, open_router

from bench.eta.day import Segment, drive_day
from bench.eta.plan import plan_day
from lastmile.demo.road_drive import DriverStyle

# Quantiles of the standard normal: the service-time spread integrated deterministically.
_Z = [NormalDist().inv_cdf((i + 0.5) / 2000) for i in range(2000)]


def service_left_s(planned_s: float, elapsed_s: float, style: DriverStyle) -> float:
    """Expected seconds of service still to come after `elapsed_s` at the door (the simulator's
    log-normal service, never under 30 s, given that it has not ended yet)."""
    longer = [
        took - elapsed_s
        for z in _Z
        if (took := max(30.0, planned_s * math.exp(style.service_sigma * z))) > elapsed_s
    ]
    return statistics.fmean(longer) if longer else 0.0


def leg_mean_s(planned_s: float, style: DriverStyle) -> float:
    """Expected seconds of a leg: the driver's pace, the leg noise's mean, the jams' share."""
    driving = planned_s * style.pace * math.exp(style.leg_sigma**2 / 2)
    jam = 1.0 - math.exp(-style.delays_per_hour * driving / 3600)
    return driving + jam * sum(style.delay_s) / 2


def predicted(
    segments: list[Segment], cut: datetime, arrival: datetime, style: DriverStyle
) -> datetime:
    """The oracle's arrival at the door that ends at `arrival`, told at `cut`."""
    at = max(cut, segments[0][1])
    for kind, start, seconds, planned_s in segments:
        end = start + timedelta(seconds=seconds)
        if end <= cut:
            continue
        if start >= arrival:
            break
        elapsed = max(0.0, (cut - start).total_seconds())
        if kind == "wait":  # for the window to open: known as soon as the arrival before it is
            at = max(at, end) if seconds > 0 else at
        elif kind == "service":
            at += timedelta(seconds=service_left_s(planned_s, elapsed, style))
        else:
            at += timedelta(seconds=max(0.0, leg_mean_s(planned_s, style) - elapsed))
    return at


def main() -> None:
    """Print the oracle's p50/p90 absolute error and bias (minutes) over the days, as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--orders", type=int, default=150)
    parser.add_argument("--vans", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--horizon", type=float, default=30.0, help="minutes before arrival")
    args = parser.parse_args()
    router = open_router(RoutingSettings())
    errors: list[float] = []
    for seed in range(args.seed, args.seed + args.days):
        served = date(2026, 12, 1) + timedelta(days=seed - args.seed)
        day = plan_day(router, seed, args.orders, args.vans, served)
        _, truth = drive_day(day, seed)
        for event, _ in day.routes:
            style, segments = truth.styles[event.vehicle_id], truth.segments[event.route_id]
            for stop in event.stops:
                arrival = truth.arrivals[stop.order_id]
                cut = arrival - timedelta(minutes=args.horizon)
                if cut >= event.start_time:  # an ETA is told from the route's start on
                    guess = predicted(segments, cut, arrival, style)
                    errors.append((guess - arrival).total_seconds() / 60)
    ordered = sorted(abs(e) for e in errors)
    print(json.dumps({
        "horizon_min": args.horizon,
        "stops": len(errors),
        "p50_min": round(ordered[len(ordered) // 2], 1),
        "p90_min": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1),
        "bias_min": round(statistics.fmean(errors), 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
