"""The driver's view of the vehicle's route of the day (read by the driver's app)."""

from __future__ import annotations

from typing import Any

from tracking.domain.route import RouteState, RouteStatus
from tracking.service_layer.state import TrackingState


def todays_route(state: TrackingState, tenant_id: str, vehicle_id: str) -> RouteState | None:
    """The vehicle's started route, else its earliest planned one."""
    vehicle = state.vehicles.get((tenant_id, vehicle_id))
    if vehicle is None:
        return None
    routes = [
        route
        for route_id in vehicle.route_ids
        if (route := state.routes.get(route_id)) is not None and route.tenant_id == tenant_id
    ]
    started = [r for r in routes if r.status is RouteStatus.STARTED]
    if started:
        return started[0]
    planned = [r for r in routes if r.status is RouteStatus.PLANNED]
    return min(planned, key=lambda r: r.start_time) if planned else None


def driver_route(route: RouteState) -> dict[str, Any]:
    """The route as the driver's app shows it: stops in planned order with their labels."""
    return {
        "route_id": route.route_id,
        "version": route.version,
        "status": route.status.value,
        "time_zone": route.time_zone,
        "start_time": route.start_time.isoformat(),
        # The planned path on roads (encoded polyline, precision 5), for the app's map.
        "geometry": route.geometry,
        "stops": [
            {
                "stop_id": stop.stop_id,
                "order_id": stop.order_id,
                "sequence": stop.sequence,
                "lat": stop.lat,
                "lon": stop.lon,
                "planned_arrival": stop.planned_arrival.isoformat(),
                "windows": [[a.isoformat(), b.isoformat()] for a, b in stop.windows],
                "status": stop.status.value,
                "load_label": stop.load_label,
                "address": stop.address,
                "recipient_name": stop.recipient_name,
                "phone": stop.phone,
                "note": stop.note,
                "skills": list(stop.skills),
            }
            for stop in sorted(route.stops, key=lambda s: s.sequence)
        ],
    }
