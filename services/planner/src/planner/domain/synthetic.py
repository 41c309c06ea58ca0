"""Generated city depots for tests and the scaling benchmark (seeded, no I/O)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from planner.domain.model import (
    Break,
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.replan_locks import StopSeen
from planner.domain.travel import GreatCircleTravelTimes

HOUR = 3600


def generated_depot(stops: int, seed: int = 7, breaks: bool = True) -> PlanningProblem:
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
        depot, vans(max(3, stops // 33), breaks), tuple(orders), GreatCircleTravelTimes()
    )


def vans(count: int, breaks: bool = True) -> tuple[Vehicle, ...]:
    """A fleet of equal vans working 08:00-19:00 with a lunch break (unless told not)."""
    return tuple(
        Vehicle(
            f"van{k}",
            VehicleKind.VAN,
            Capacity(900, 12, 120),
            TimeWindow(8 * HOUR, 19 * HOUR),
            cost_per_km=0.4,
            cost_per_hour=28,
            fixed_cost=60,
            breaks=(Break(30 * 60, 12 * HOUR, 14 * HOUR),) if breaks else (),
        )
        for k in range(count)
    )


@dataclass(frozen=True)
class DayUnderWay:
    """A re-plan's inputs at `now_s`: the day with late orders, served and in-progress stops per
    vehicle, and what tracking saw of them."""

    problem: PlanningProblem
    locked: dict[str, list[str]]
    seen: dict[str, StopSeen]
    now_s: int


def under_way(
    problem: PlanningProblem, plan: PlanResult, now_s: int, late_orders: int, seed: int = 7
) -> DayUnderWay:
    """The planned day at `now_s`: stops begun before then are locked; every other started van
    runs up to 20 minutes late at its last one; `late_orders` new orders come in for later."""
    rng = random.Random(seed)
    locked: dict[str, list[str]] = {}
    seen: dict[str, StopSeen] = {}
    for k, route in enumerate(plan.routes):
        begun = [v for v in route.visits if v.start < now_s]
        if not begun:
            continue
        locked[route.vehicle_id] = [v.order_id for v in begun]
        seen |= {v.order_id: StopSeen(v.departure, finished=True) for v in begun[:-1]}
        delay = rng.randrange(0, 20 * 60) if k % 2 else 0
        seen[begun[-1].order_id] = StopSeen(begun[-1].start + delay)
    extra = generated_depot(late_orders, seed).orders
    later = tuple(
        replace(o, id=f"late{i}", windows=(TimeWindow(now_s + HOUR, now_s + 4 * HOUR),))
        for i, o in enumerate(extra)
    )
    return DayUnderWay(replace(problem, orders=problem.orders + later), locked, seen, now_s)
