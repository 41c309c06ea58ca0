"""Domain progress and ETAs turned into contract events (deliveries.v1, etas.v1)."""

from __future__ import annotations

from datetime import datetime

from lastmile_common.events import deliveries, etas
from lastmile_common.events.base import EventData, GeoPoint
from lastmile_common.events.envelope import service_source

from tracking.domain.eta import StopEta
from tracking.domain.eta_policy import Published
from tracking.domain.progress import RouteCompleted, StopArrived
from tracking.domain.route import RouteState

SOURCE = service_source("tracking")


def route_started(route: RouteState, at: datetime, stop_etas: list[StopEta]) -> EventData:
    """`route.started` with every open stop's ETA window and tracking token."""
    tokens = {s.stop_id: s.token for s in route.stops}
    return deliveries.RouteStarted(
        route_id=route.route_id,
        route_version=route.version,
        depot_id=route.depot_id,
        vehicle_id=route.vehicle_id,
        started_at=at,
        stops=tuple(
            deliveries.StartedStop(
                order_id=e.order_id,
                stop_id=e.stop_id,
                eta=e.eta,
                eta_window_start=e.window_start,
                eta_window_end=e.window_end,
                tracking_token=tokens.get(e.stop_id),
            )
            for e in stop_etas
        ),
    )


def stop_arrived(route: RouteState, event: StopArrived) -> EventData:
    """`stop.arrived`, with the delay against plan."""
    stop = event.stop
    return deliveries.StopArrived(
        route_id=route.route_id,
        stop_id=stop.stop_id,
        order_id=stop.order_id,
        vehicle_id=route.vehicle_id,
        arrived_at=event.at,
        planned_arrival=stop.planned_arrival,
        delay_s=round((event.at - stop.planned_arrival).total_seconds(), 1),
        location=GeoPoint(lat=event.lat, lon=event.lon),
        tracking_token=stop.token,
    )


def route_completed(route: RouteState, event: RouteCompleted) -> EventData:
    """`route.completed` with the counts of delivered and failed stops, and the unserved ones."""
    return deliveries.RouteCompleted(
        route_id=route.route_id,
        route_version=route.version,
        depot_id=route.depot_id,
        vehicle_id=route.vehicle_id,
        completed_at=event.at,
        delivered=event.delivered,
        failed=event.failed,
        unserved_order_ids=tuple(s.order_id for s in route.stops if not s.resolved),
    )


def eta_updated(route: RouteState, eta: StopEta, told: Published, token: str | None) -> EventData:
    """`eta.updated` for one order."""
    return etas.EtaUpdated(
        order_id=eta.order_id,
        route_id=route.route_id,
        stop_id=eta.stop_id,
        vehicle_id=route.vehicle_id,
        eta=eta.eta,
        window_start=eta.window_start,
        window_end=eta.window_end,
        stops_away=eta.stops_away,
        computed_at=told.at,
        tracking_token=token,
        sequence=told.sequence,
    )
