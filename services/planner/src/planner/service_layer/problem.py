"""Build the solver's PlanningProblem from stored depots, vehicles and pending orders."""

from __future__ import annotations

from datetime import date

from lastmile_common.events.orders import OrderSnapshot

from planner.domain.depots import StoredDepot, StoredVehicle
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
from planner.service_layer.clock import to_seconds, wall_clock_seconds

# A dimension a vehicle does not limit: large, but small enough for the solver's integers.
UNLIMITED_VOLUME_M3 = 10_000.0
UNLIMITED_PARCELS = 1_000_000
PRIORITY = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
SOFT_LATENESS_COST_PER_S = 0.01


def _loc(point: object) -> Location:
    return Location(point.lat, point.lon)  # type: ignore[attr-defined]


def depot_model(depot: StoredDepot, day: date) -> Depot:
    """The solver's depot for a service date."""
    spec = depot.spec
    tz = spec.time_zone
    opening = TimeWindow(
        wall_clock_seconds(day, tz, spec.opening_hours.start),
        wall_clock_seconds(day, tz, spec.opening_hours.end),
    )
    return Depot(depot.id, _loc(spec.location), opening, spec.loading_time_min * 60)


def vehicle_model(vehicle: StoredVehicle, day: date, time_zone: str) -> Vehicle:
    """The solver's vehicle for a service date (times in seconds since local midnight)."""
    s = vehicle.spec
    kind = VehicleKind(s.kind)
    capacity = Capacity(
        s.capacity.weight_kg,
        UNLIMITED_VOLUME_M3 if s.capacity.volume_m3 is None else s.capacity.volume_m3,
        UNLIMITED_PARCELS if s.capacity.parcels is None else s.capacity.parcels,
    )
    breaks = tuple(
        Break(
            b.duration_min * 60,
            wall_clock_seconds(day, time_zone, b.earliest_start),
            wall_clock_seconds(day, time_zone, b.latest_start),
        )
        for b in s.breaks
    )
    return Vehicle(
        id=vehicle.id,
        kind=kind,
        capacity=capacity,
        shift=TimeWindow(
            wall_clock_seconds(day, time_zone, s.shift.start),
            wall_clock_seconds(day, time_zone, s.shift.end),
        ),
        skills=frozenset(s.skills),
        cost_per_km=s.cost_per_km,
        cost_per_hour=s.cost_per_hour,
        fixed_cost=s.fixed_cost,
        start=_loc(s.start_location) if s.start_location else None,
        end=_loc(s.end_location) if s.end_location else None,
        breaks=breaks,
        max_working_time=s.max_working_time_min * 60 if s.max_working_time_min else None,
        battery_range_m=round(s.battery_range_km * 1000) if s.battery_range_km else None,
        carrier_id=s.carrier_id,
        speed_mps=s.speed_kmh / 3.6 if s.speed_kmh else None,
        max_radius_m=round(s.max_radius_km * 1000) if s.max_radius_km else None,
    )


def order_model(snapshot: OrderSnapshot, day: date, time_zone: str) -> Order:
    """The solver's order: total demand and windows in seconds since local midnight."""
    windows = tuple(
        TimeWindow(to_seconds(day, time_zone, w.start), to_seconds(day, time_zone, w.end))
        for w in snapshot.windows
    )
    soft = any(w.soft for w in snapshot.windows)
    return Order(
        id=snapshot.order_id,
        location=_loc(snapshot.address.location),
        demand=Capacity(snapshot.total_weight_kg, snapshot.total_volume_m3, snapshot.total_parcels),
        service_time=snapshot.service_time_s,
        windows=windows,
        soft_windows=soft,
        lateness_cost_per_s=SOFT_LATENESS_COST_PER_S if soft else 0.0,
        skills=frozenset(snapshot.skills),
        priority=PRIORITY.get(snapshot.priority, 1),
        drone_eligible=snapshot.drone_eligible,
    )


def build_problem(
    depot: StoredDepot,
    vehicles: list[StoredVehicle],
    orders: list[OrderSnapshot],
    day: date,
) -> PlanningProblem:
    """Everything the solver needs to plan one depot's service date."""
    tz = depot.spec.time_zone
    return PlanningProblem(
        depot=depot_model(depot, day),
        vehicles=tuple(vehicle_model(v, day, tz) for v in vehicles),
        orders=tuple(order_model(o, day, tz) for o in orders),
        travel=GreatCircleTravelTimes(),
    )
