"""A planning problem as VRPTW integer data, when it is one the compiled search models.

`plain_vrptw`: identical vehicles (one shift, one capacity, the same skills and costs) that
start and end at the depot without breaks or working-time limits; any number of capacity
dimensions (weight, volume, parcels); a route distance limit (max route distance or EV range);
orders with one hard window and only skills the fleet has. Mixed fleets are `fleet_data`'s. The
data are the solver's own integer matrices, so routes found on them are feasible for the
OR-Tools model as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from planner.domain.layout import (
    build_layout,
    build_matrices,
    capacity_units,
    demand_units,
    time_bounds,
)
from planner.domain.model import Order, PlanningProblem, Vehicle, VehicleKind

Routes = list[list[int]]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Fleet:
    """The vehicles of a mixed fleet: per matrix class the integer time (travel plus service at
    the origin), distance and cost matrices over all nodes; per vehicle a row of the table
    (`ruin_steps`: class, start node, end node, earliest departure, latest return, distance
    limit, fixed cost, capacity per dimension); which nodes each vehicle may serve; per vehicle
    its breaks (earliest start, latest start, duration; sorted by earliest start, padded) and
    how many; per node its service time (`break_steps`); per node its windows (start, end;
    sorted, merged, padded), how many, and for a soft-window order when lateness starts and
    what it costs per second (`window_steps`; zero for a hard window)."""

    time: Ints
    dist: Ints
    cost: Ints
    table: Ints
    eligible: npt.NDArray[np.bool_]
    customers: int
    breaks: Ints
    break_count: Ints
    service: Ints
    windows: Ints
    window_count: Ints
    late_from: Ints
    late_cost: Ints


@dataclass(frozen=True)
class Vrptw:
    """Integer data of a VRPTW; node 0 is the depot, customers 1..n; `ready` and `due` are each
    node's first window start and last window end (open for a soft window; the windows
    themselves are the fleet's, `Fleet.windows`).

    Without `fleet`: identical vehicles from and to node 0 with `capacity` and `max_distance`,
    on `time` and `dist`. With it: ready, due and demand cover every node (customers, then
    the vehicles' own start and end points), and the vehicles are the fleet's."""

    time: list[list[int]]  # travel plus service at the origin
    dist: list[list[int]]
    ready: list[int]
    due: list[int]
    demand: list[list[int]]  # per node, per capacity dimension
    capacity: list[int]  # per capacity dimension
    max_distance: int | None = None
    fleet: Fleet | None = None

    @property
    def customers(self) -> int:
        """How many customers (nodes 1..n)."""
        return self.fleet.customers if self.fleet else len(self.ready) - 1


def _plain_fleet(problem: PlanningProblem) -> bool:
    fleet, depot = problem.vehicles, problem.depot.location
    if not fleet or any(replace(v, id=fleet[0].id) != fleet[0] for v in fleet):
        return False
    v = fleet[0]
    return (
        v.kind != VehicleKind.DRONE
        and v.speed_mps is None
        and not v.breaks
        and v.max_working_time is None
        and v.max_route_duration is None
        and v.start in (None, depot)
        and v.end in (None, depot)
    )


def _plain_order(o: Order, v: Vehicle) -> bool:
    return len(o.windows) == 1 and not o.soft_windows and o.skills <= v.skills


def plain_vrptw(problem: PlanningProblem) -> Vrptw | None:
    """The problem as integer VRPTW data (node i + 1 is order i), or None if it needs more."""
    if not _plain_fleet(problem):
        return None
    v = problem.vehicles[0]
    if not all(_plain_order(o, v) for o in problem.orders):
        return None
    orders = problem.orders
    layout = build_layout(problem, list(orders))
    mats = build_matrices(problem, layout)[0]
    start, end = time_bounds(problem, layout, 0)
    demands = [demand_units(o) for o in orders]
    # Only the dimensions some order uses; parcels when none does.
    dims = [k for k in range(3) if any(d[k] for d in demands)] or [2]
    return Vrptw(
        mats.time.tolist(),
        mats.distance.tolist(),
        [start] + [o.windows[0].start for o in orders],
        [end] + [o.windows[0].end for o in orders],
        [[0] * len(dims)] + [[d[k] for k in dims] for d in demands],
        [capacity_units(v)[k] for k in dims],
        v.distance_limit(),
    )


def capacity_floor(p: Vrptw) -> int:
    """No plan needs fewer routes than it takes the largest vehicles to carry the total demand
    (in any dimension)."""
    if p.fleet is None:
        floors = [
            -(-sum(row[d] for row in p.demand) // max(1, cap)) for d, cap in enumerate(p.capacity)
        ]
        return max(1, *floors)
    floor = 1
    caps = p.fleet.table[:, -len(p.capacity) :]
    for d in range(len(p.capacity)):
        total = sum(row[d] for row in p.demand)
        carried = np.cumsum(np.sort(caps[:, d])[::-1])
        floor = max(floor, int(np.searchsorted(carried, total)) + 1)
    return min(floor, len(caps))
