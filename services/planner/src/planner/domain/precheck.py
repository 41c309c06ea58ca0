"""Check each order against each vehicle on its own, before solving."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from planner.domain.layout import (
    DEPOT_NODE,
    Layout,
    VehicleMatrices,
    capacity_units,
    demand_units,
    is_drone,
    span_limit,
    time_bounds,
)
from planner.domain.model import PlanningProblem
from planner.domain.road_travel import MAX_SNAP_M


class Stage(IntEnum):
    """How far an order got through one vehicle's checks (later stages pass earlier ones)."""

    SKILL = 0
    WEIGHT = 1
    SIZE = 2
    ROAD = 3
    RANGE = 4
    SHIFT = 5
    WINDOW = 6
    OK = 7


@dataclass(frozen=True)
class OrderFit:
    """An order's result against the fleet: vehicles that can serve it alone, furthest stage."""

    allowed: tuple[int, ...]
    best_stage: Stage
    earliest_arrival: int | None


def _stage(
    problem: PlanningProblem,
    layout: Layout,
    mats: list[VehicleMatrices],
    vi: int,
    oi: int,
    not_before: int,
) -> tuple[Stage, int | None]:
    v = problem.vehicles[vi]
    order = layout.orders[oi]
    node = layout.order_node(oi)
    if not order.skills <= v.skills or (is_drone(v) and not order.drone_eligible):
        return Stage.SKILL, None
    need, cap = demand_units(order), capacity_units(v)
    if need[0] > cap[0]:
        return Stage.WEIGHT, None
    if need[1] > cap[1] or need[2] > cap[2]:
        return Stage.SIZE, None
    m = mats[vi]
    s, e = layout.starts[vi], layout.ends[vi]
    if not is_drone(v) and not _road_access(m, s, node, e):
        return Stage.ROAD, None
    limit = v.distance_limit()
    if limit is not None and m.distance[s, node] + m.distance[node, e] > limit:
        return Stage.RANGE, None
    radius = v.max_radius_m if is_drone(v) else None
    if radius is not None and m.travel.distance_m[DEPOT_NODE, node] > radius:
        return Stage.RANGE, None
    start, end = time_bounds(problem, layout, vi)
    there, back = int(m.time[s, node]), int(m.time[node, e])
    span = span_limit(v)
    if there + back > end - start or (span is not None and there + back > span):
        return Stage.SHIFT, None
    # Leaving from the depot at shift start is a lower bound on any real arrival.
    arrival = max(start + there, not_before)
    if order.soft_windows:
        t = max(arrival, order.windows[0].start)
        return (Stage.OK if t + back <= end else Stage.WINDOW), arrival
    for w in order.windows:
        t = max(arrival, w.start)
        if t <= w.end and t + back <= end:
            return Stage.OK, arrival
    return Stage.WINDOW, arrival


def _road_access(m: VehicleMatrices, start: int, node: int, end: int) -> bool:
    """Near a road the vehicle may use, and joined by roads to its start and end."""
    snap = m.travel.snap_m
    if snap is not None and snap[node] > MAX_SNAP_M:
        return False
    legs = m.travel.duration_s
    return bool(np.isfinite(legs[start, node]) and np.isfinite(legs[node, end]))


def check_orders(
    problem: PlanningProblem, layout: Layout, mats: list[VehicleMatrices], not_before: int = 0
) -> list[OrderFit]:
    """For every order: which vehicles could serve it alone, and the furthest stage reached."""
    fits = []
    for oi in range(len(layout.orders)):
        allowed: list[int] = []
        best = Stage.SKILL
        earliest: int | None = None
        for vi in range(len(problem.vehicles)):
            stage, arrival = _stage(problem, layout, mats, vi, oi, not_before)
            best = max(best, stage)
            if arrival is not None:
                earliest = arrival if earliest is None else min(earliest, arrival)
            if stage == Stage.OK:
                allowed.append(vi)
        fits.append(OrderFit(tuple(allowed), best, earliest))
    return fits
