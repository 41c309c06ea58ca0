"""Turn the solver's routes (seconds since local midnight) into routes.v1 event data (UTC)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from lastmile_common.events.base import GeoPoint
from lastmile_common.events.orders import OrderSnapshot, PostalAddress
from lastmile_common.events.routes import (
    Load,
    LoadPlanEntry,
    PlannedBreak,
    PlannedStop,
    RoutePlanned,
    RouteUpdated,
)

from planner.domain.depots import StoredDepot, StoredVehicle
from planner.domain.model import PlanResult, Route, Visit
from planner.service_layer.clock import to_utc


def new_id(prefix: str) -> str:
    """A short random id with a readable prefix (pln_, rte_)."""
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def stop_id(route_id: str, order_id: str) -> str:
    """A stop's id: stable while the order stays on the route."""
    return f"{route_id}:{order_id}"


def one_line(address: PostalAddress) -> str:
    """An address as the driver reads it: `line1, line2, postal code city`."""
    town = " ".join(part for part in (address.postal_code, address.city) if part)
    return ", ".join(part for part in (address.line1, address.line2, town) if part)


def door_details(order: OrderSnapshot) -> dict[str, Any]:
    """What the driver needs at the door: address, recipient, phone, note, required skills."""
    return {
        "address": one_line(order.address),
        "recipient_name": order.recipient.name,
        "phone": order.recipient.phone,
        "note": order.notes,
        "skills": order.skills,
    }


def _stops(
    route_id: str,
    route: Route,
    day: date,
    tz: str,
    orders: dict[str, OrderSnapshot],
    locked: set[str],
) -> list[PlannedStop]:
    """The route's visits as planned stops (UTC times, the order's window and door details)."""
    return [
        PlannedStop(
            stop_id=stop_id(route_id, visit.order_id),
            sequence=seq,
            order_id=visit.order_id,
            location=orders[visit.order_id].address.location,
            planned_arrival=to_utc(day, tz, visit.arrival),
            planned_departure=to_utc(day, tz, visit.departure),
            service_time_s=orders[visit.order_id].service_time_s,
            windows=orders[visit.order_id].windows,
            load_label=visit.load_label,
            locked=visit.order_id in locked,
            **door_details(orders[visit.order_id]),
        )
        for seq, visit in enumerate(route.visits, start=1)
    ]


def route_data(
    *,
    plan_id: str,
    route_id: str,
    version: int,
    depot: StoredDepot,
    vehicle: StoredVehicle,
    route: Route,
    day: date,
    orders: dict[str, OrderSnapshot],
    locked: set[str],
    reason: str | None = None,
    geometry: str | None = None,
) -> RoutePlanned:
    """route.planned data (or route.updated when `reason` is given) for one solver route."""
    tz = depot.spec.time_zone
    stops = _stops(route_id, route, day, tz, orders, locked)
    labels = {v.order_id: v.load_label for v in route.visits}
    load_plan = tuple(
        LoadPlanEntry(order_id=oid, load_sequence=i, label=labels.get(oid, ""))
        for i, oid in enumerate(route.loading_order, start=1)
    )
    fields: dict[str, Any] = {
        "plan_id": plan_id,
        "route_id": route_id,
        "depot_id": depot.id,
        "vehicle_id": vehicle.id,
        "vehicle_kind": vehicle.spec.kind,
        "driver_id": vehicle.spec.driver_id,
        "version": version,
        "service_date": day.isoformat(),
        "time_zone": tz,
        "depot_location": GeoPoint(lat=depot.spec.location.lat, lon=depot.spec.location.lon),
        "start_time": to_utc(day, tz, route.start),
        "end_time": to_utc(day, tz, route.end),
        "distance_m": float(route.distance_m),
        "duration_s": float(route.end - route.start),
        "load": _load_of(route, orders),
        "stops": tuple(stops),
        "load_plan": load_plan,
        "geometry": geometry,
        "breaks": _breaks_of(route, day, tz),
    }
    if reason is not None:
        return RouteUpdated(**fields, reason=reason)
    return RoutePlanned(**fields)


def solved_of(route: Route) -> dict[str, Any]:
    """The solver's view of a route, kept to seed a later re-plan."""
    return {
        "vehicle_id": route.vehicle_id,
        "start": route.start,
        "end": route.end,
        "distance_m": route.distance_m,
        "visits": [[v.order_id, v.arrival, v.start, v.departure] for v in route.visits],
        "loading_order": list(route.loading_order),
    }


def route_of_solved(solved: dict[str, Any]) -> Route:
    """A stored solver view back as a Route."""
    visits = tuple(Visit(oid, arr, start, dep) for oid, arr, start, dep in solved["visits"])
    return Route(
        solved["vehicle_id"],
        int(solved["start"]),
        int(solved["end"]),
        visits,
        distance_m=int(solved["distance_m"]),
        loading_order=tuple(solved.get("loading_order", ())),
    )


def previous_result(solved_routes: list[dict[str, Any]]) -> PlanResult:
    """The routes of a stored plan as the PlanResult a re-plan starts from."""
    return PlanResult(tuple(route_of_solved(s) for s in solved_routes), ())


def _breaks_of(route: Route, day: date, tz: str) -> tuple[PlannedBreak, ...]:
    """The route's breaks as UTC intervals, in time order."""
    return tuple(
        PlannedBreak(start=to_utc(day, tz, b.start), end=to_utc(day, tz, b.start + b.duration))
        for b in sorted(route.breaks, key=lambda b: b.start)
    )


def _load_of(route: Route, orders: dict[str, OrderSnapshot]) -> Load:
    """What the vehicle carries out of the depot: the sum over its orders."""
    load = Load()
    for visit in route.visits:
        snap = orders[visit.order_id]
        load = Load(
            weight_kg=load.weight_kg + snap.total_weight_kg,
            volume_m3=load.volume_m3 + snap.total_volume_m3,
            parcels=load.parcels + snap.total_parcels,
        )
    return load
