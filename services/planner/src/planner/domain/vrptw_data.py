"""A planning problem as plain VRPTW integer data, when it is one (the Solomon benchmark's shape).

The data are the solver's own integer matrices, so routes found on them are feasible for the
OR-Tools model as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.domain.layout import build_layout, build_matrices, time_bounds
from planner.domain.model import Order, PlanningProblem, VehicleKind

Routes = list[list[int]]


@dataclass(frozen=True)
class Vrptw:
    """Integer data of a one-window, one-capacity VRPTW; node 0 is the depot."""

    time: list[list[int]]  # travel plus service at the origin
    dist: list[list[int]]
    ready: list[int]
    due: list[int]
    demand: list[int]
    capacity: int


def _plain_fleet(problem: PlanningProblem) -> bool:
    fleet, depot = problem.vehicles, problem.depot.location
    if not fleet or any(replace(v, id=fleet[0].id) != fleet[0] for v in fleet):
        return False
    v = fleet[0]
    limits = (v.max_working_time, v.max_route_distance, v.max_route_duration, v.battery_range_m)
    return (
        v.kind != VehicleKind.DRONE
        and v.speed_mps is None
        and not v.breaks
        and all(x is None for x in limits)
        and v.start in (None, depot)
        and v.end in (None, depot)
    )


def _plain_order(o: Order) -> bool:
    return (
        len(o.windows) == 1
        and not o.soft_windows
        and not o.skills
        and o.demand.weight_kg == 0
        and o.demand.volume_m3 == 0
    )


def plain_vrptw(problem: PlanningProblem) -> Vrptw | None:
    """The problem as integer VRPTW data (node i + 1 is order i), or None if it needs more.

    Modelled: one hard window per order, parcels as the only capacity, identical vehicles that
    start and end at the depot without breaks, skills or limits.
    """
    if not _plain_fleet(problem) or not all(_plain_order(o) for o in problem.orders):
        return None
    orders = problem.orders
    layout = build_layout(problem, list(orders))
    mats = build_matrices(problem, layout)[0]
    start, end = time_bounds(problem, layout, 0)
    return Vrptw(
        mats.time.tolist(),
        mats.distance.tolist(),
        [start] + [o.windows[0].start for o in orders],
        [end] + [o.windows[0].end for o in orders],
        [0] + [o.demand.parcels for o in orders],
        problem.vehicles[0].capacity.parcels,
    )


def capacity_floor(p: Vrptw) -> int:
    """No plan needs fewer routes than total demand over one vehicle's capacity."""
    return max(1, -(-sum(p.demand) // max(1, p.capacity)))
