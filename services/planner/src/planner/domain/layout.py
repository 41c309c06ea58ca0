"""Node layout and per-vehicle integer matrices shared by the pre-check and the solver."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.domain.model import Location, Order, PlanningProblem, Vehicle, VehicleKind
from planner.domain.travel import TravelMatrix, fixed_speed_matrix, straight_line_matrix

IntMatrix = npt.NDArray[np.int64]
# Currency units are multiplied by this before OR-Tools sees them (it wants integers).
COST_SCALE = 1000
DEPOT_NODE = 0
# Stands in for "no road between these points" (inf) in the solver's integers: longer than any
# shift, far from int64 overflow when summed along a route.
UNREACHABLE = 10**9


@dataclass(frozen=True)
class Layout:
    """Node numbering: 0 is the depot, orders follow, then vehicles' own start/end points."""

    locations: list[Location]
    service: list[int]
    orders: list[Order]
    starts: list[int]
    ends: list[int]

    def order_node(self, i: int) -> int:
        """Node of the i-th order."""
        return i + 1


@dataclass(frozen=True)
class VehicleMatrices:
    """Integer matrices for one vehicle: distance (m), time incl. service at origin (s), cost."""

    distance: IntMatrix
    time: IntMatrix
    cost: IntMatrix
    travel: TravelMatrix


def build_layout(problem: PlanningProblem, orders: list[Order]) -> Layout:
    """Number the nodes: depot, orders, then distinct vehicle start/end locations."""
    depot = problem.depot
    locations = [depot.location] + [o.location for o in orders]
    service = [depot.loading_time] + [o.service_time for o in orders]
    starts: list[int] = []
    ends: list[int] = []
    for v in problem.vehicles:
        for point, out in ((v.start, starts), (v.end, ends)):
            if point is None or point == depot.location:
                out.append(DEPOT_NODE)
            else:
                locations.append(point)
                service.append(0)
                out.append(len(locations) - 1)
    return Layout(locations, service, orders, starts, ends)


def is_drone(v: Vehicle) -> bool:
    """Drones fly straight lines at their own speed."""
    return v.kind == VehicleKind.DRONE


def _ceil(m: npt.NDArray[np.float64]) -> IntMatrix:
    # Rounding up keeps the solver's schedule feasible under the exact travel times.
    return np.ceil(np.minimum(m, UNREACHABLE) - 1e-9).astype(np.int64)


def vehicle_travel(problem: PlanningProblem, layout: Layout, v: Vehicle) -> TravelMatrix:
    """Travel for one vehicle, valid for any departure during its shift (the slowest bucket the
    shift meets, leg by leg; services/planner/README.md, "Roads")."""
    if is_drone(v) and v.speed_mps:
        return straight_line_matrix(layout.locations, v.speed_mps)
    road = problem.travel.worst_case_matrix(layout.locations, v.shift.start, v.shift.end, v.profile)
    return fixed_speed_matrix(road, v.speed_mps) if v.speed_mps else road


def build_matrices(problem: PlanningProblem, layout: Layout) -> list[VehicleMatrices]:
    """Integer matrices per vehicle; vehicles of the same class share arrays."""
    cache: dict[tuple[object, ...], VehicleMatrices] = {}
    service = np.array(layout.service, dtype=np.int64)
    result = []
    for v in problem.vehicles:
        key = (is_drone(v), v.profile, v.speed_mps, v.shift, v.cost_per_km)
        if key not in cache:
            travel = vehicle_travel(problem, layout, v)
            dist = _ceil(travel.distance_m)
            time = _ceil(travel.duration_s) + service[:, None]
            np.fill_diagonal(time, service)
            per_m = v.cost_per_km * COST_SCALE / 1000.0
            # Without a distance price the solver still needs a reason to avoid detours.
            cost = np.rint(np.minimum(travel.distance_m, UNREACHABLE) * per_m).astype(np.int64)
            cost = cost if per_m > 0 else dist
            cache[key] = VehicleMatrices(dist, time, cost, travel)
        result.append(cache[key])
    return result


def scaled(amount: float) -> int:
    """Currency to OR-Tools integer cost units."""
    return round(amount * COST_SCALE)


def demand_units(order: Order) -> tuple[int, int, int]:
    """Demand as integers: grams, litres, parcels (rounded up)."""
    d = order.demand
    return (math.ceil(d.weight_kg * 1000 - 1e-6), math.ceil(d.volume_m3 * 1000 - 1e-6), d.parcels)


def capacity_units(v: Vehicle) -> tuple[int, int, int]:
    """Capacity as integers: grams, litres, parcels (rounded down); drones carry one parcel."""
    c = v.capacity
    parcels = 1 if is_drone(v) else c.parcels
    return (math.floor(c.weight_kg * 1000 + 1e-6), math.floor(c.volume_m3 * 1000 + 1e-6), parcels)


def span_limit(v: Vehicle) -> int | None:
    """Longest route from start to end: max route duration, or max working time plus breaks."""
    limits = []
    if v.max_route_duration is not None:
        limits.append(v.max_route_duration)
    if v.max_working_time is not None:
        limits.append(v.max_working_time + sum(b.duration for b in v.breaks))
    return min(limits) if limits else None


def time_bounds(problem: PlanningProblem, layout: Layout, vi: int) -> tuple[int, int]:
    """Earliest departure and latest return of vehicle `vi` (shift and depot opening hours)."""
    v, depot = problem.vehicles[vi], problem.depot
    start, end = v.shift.start, v.shift.end
    if layout.starts[vi] == DEPOT_NODE:
        start = max(start, depot.opening.start)
    if layout.ends[vi] == DEPOT_NODE:
        end = min(end, depot.opening.end)
    return start, end
