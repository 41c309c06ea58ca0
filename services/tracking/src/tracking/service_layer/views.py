"""What customers and dispatchers are shown, built from the live state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracking.domain.progress import remaining
from tracking.domain.route import RouteState, RouteStatus, StopStatus
from tracking.service_layer.state import TrackingState


@dataclass(frozen=True)
class OrderView:
    """One order as its customer sees it; `vehicle` only when the van is a few stops away."""

    order_id: str
    status: str
    status_text: str
    eta: datetime | None
    window_start: datetime | None
    window_end: datetime | None
    stops_away: int | None
    time_zone: str
    destination: tuple[float, float] | None  # None until the order is on a route here
    vehicle: tuple[float, float] | None
    vehicle_time: datetime | None
    updated_at: datetime | None


def _status(route: RouteState, stop_id: str, stops_away: int | None) -> tuple[str, str]:
    stop = route.stop(stop_id)
    assert stop is not None
    if stop.status is StopStatus.DELIVERED:
        return "delivered", "Delivered"
    if stop.status is StopStatus.FAILED:
        return "failed", "Delivery attempt failed"
    if route.status is RouteStatus.CANCELLED:
        return "rescheduling", "Your delivery is being rescheduled"
    if stop.status in (StopStatus.ARRIVED, StopStatus.DEPARTED) or route.at_stop == stop_id:
        return "arrived", "The driver has arrived"
    if route.status is RouteStatus.PLANNED:
        return "scheduled", "Scheduled for delivery"
    if stops_away == 0:
        return "next", "You are the next stop"
    plural = "" if stops_away == 1 else "s"
    return "on_the_way", f"On the way: {stops_away} stop{plural} before yours"


def order_view(
    state: TrackingState,
    tenant_id: str,
    order_id: str,
    route_id: str,
    stop_id: str,
    map_stops_away: int,
) -> OrderView | None:
    """The customer's view of an order, or None when its route is unknown here."""
    route = state.routes.get(route_id)
    stop = route.stop(stop_id) if route is not None else None
    if route is None or stop is None or route.tenant_id != tenant_id:
        return None
    order = [s.stop_id for s in remaining(route)] if route.status is RouteStatus.STARTED else []
    stops_away = order.index(stop_id) if stop_id in order else None
    status, text = _status(route, stop_id, stops_away)
    told = state.told.get((tenant_id, order_id))
    open_ = status in ("scheduled", "next", "on_the_way")
    vehicle = state.vehicles.get((tenant_id, route.vehicle_id))
    last = vehicle.last if vehicle is not None else None
    show = (
        open_
        and status != "scheduled"
        and stops_away is not None
        and stops_away <= map_stops_away
        and last is not None
    )
    return OrderView(
        order_id=order_id,
        status=status,
        status_text=text,
        eta=told.eta if told and open_ else None,
        window_start=told.window_start if told and open_ else None,
        window_end=told.window_end if told and open_ else None,
        stops_away=stops_away,
        time_zone=route.time_zone,
        destination=(stop.lat, stop.lon),
        vehicle=(last.lat, last.lon) if show and last is not None else None,
        vehicle_time=last.time if show and last is not None else None,
        updated_at=told.at if told else None,
    )


def received_view(order_id: str) -> OrderView:
    """An order no route here carries yet: confirmed, its delivery time still to come."""
    return OrderView(
        order_id=order_id,
        status="received",
        status_text="We have your order; its delivery time appears here once it is planned",
        eta=None,
        window_start=None,
        window_end=None,
        stops_away=None,
        time_zone="UTC",
        destination=None,
        vehicle=None,
        vehicle_time=None,
        updated_at=None,
    )


def vehicles_view(state: TrackingState, tenant_id: str) -> list[dict[str, Any]]:
    """Dispatchers' snapshot: every vehicle of the tenant with position and route progress."""
    out = []
    for (tenant, vehicle_id), vehicle in state.vehicles.items():
        if tenant != tenant_id:
            continue
        route = state.current_route(vehicle, vehicle.last.time, 3600) if vehicle.last else None
        nxt = remaining(route) if route is not None else []
        last = vehicle.last
        out.append(
            {
                "vehicle_id": vehicle_id,
                "position": None
                if last is None
                else {
                    "time": last.time.isoformat(),
                    "lat": last.lat,
                    "lon": last.lon,
                    "speed_mps": last.speed_mps,
                    "heading_deg": last.heading_deg,
                },
                "route_id": route.route_id if route else None,
                "route_status": route.status.value if route else None,
                "next_stop_id": nxt[0].stop_id if nxt else None,
                "stops_left": len(nxt),
            }
        )
    return sorted(out, key=lambda v: v["vehicle_id"])
