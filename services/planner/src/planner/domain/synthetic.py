"""Generated city depots for tests and the scaling benchmark (seeded, no I/O)."""

from __future__ import annotations

import random

from planner.domain.model import (
    Break,
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.travel import GreatCircleTravelTimes

HOUR = 3600


def generated_depot(stops: int, seed: int = 7) -> PlanningProblem:
    """A Berlin-like depot with `stops` orders in 2-hour windows and a van fleet sized to fit."""
    rng = random.Random(seed)
    depot = Depot("berlin", Location(52.52, 13.405), TimeWindow(6 * HOUR, 22 * HOUR), 900)
    orders = []
    for i in range(stops):
        start = 9 * HOUR + rng.randrange(0, 8) * HOUR
        orders.append(
            Order(
                f"o{i}",
                Location(52.52 + rng.gauss(0, 0.05), 13.405 + rng.gauss(0, 0.08)),
                Capacity(rng.uniform(0.5, 15), rng.uniform(0.005, 0.08), 1),
                rng.choice((120, 180, 240)),
                (TimeWindow(start, start + 2 * HOUR),),
                priority=rng.choice((0, 0, 0, 1)),
            )
        )
    return PlanningProblem(
        depot, vans(max(3, stops // 33)), tuple(orders), GreatCircleTravelTimes()
    )


def vans(count: int) -> tuple[Vehicle, ...]:
    """A fleet of equal vans working 08:00-19:00 with a lunch break."""
    return tuple(
        Vehicle(
            f"van{k}",
            VehicleKind.VAN,
            Capacity(900, 12, 120),
            TimeWindow(8 * HOUR, 19 * HOUR),
            cost_per_km=0.4,
            cost_per_hour=28,
            fixed_cost=60,
            breaks=(Break(30 * 60, 12 * HOUR, 14 * HOUR),),
        )
        for k in range(count)
    )
