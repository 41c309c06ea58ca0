"""Watching a vehicle against its route's roads: off-route and back, told to dispatchers."""

from __future__ import annotations

from tracking.domain.fixes import Fix
from tracking.domain.off_route import WentOffRoute, judge_off_route
from tracking.domain.route import RouteState, RouteStatus
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.effects import Effects
from tracking.service_layer.ports import Stream
from tracking.service_layer.state import TrackingState, Vehicle


def watch_vehicle(
    state: TrackingState,
    stream: Stream,
    cfg: TrackerConfig,
    vehicle: Vehicle,
    fix: Fix,
    effects: Effects,
) -> RouteState | None:
    """Watch the vehicle's started route from a fix; that route (None: none started)."""
    route = state.current_route(vehicle, fix.time, cfg.progress.early_start_s)
    if route is None or route.status is not RouteStatus.STARTED:
        return None
    watch_route(state, stream, cfg, route, fix, effects)
    return route


def watch_route(
    state: TrackingState,
    stream: Stream,
    cfg: TrackerConfig,
    route: RouteState,
    fix: Fix,
    effects: Effects,
) -> None:
    """Measure the newest fix against the route's roads, at most once per check interval."""
    last = state.last_route_check.get(route.route_id)
    if last is not None and 0 <= (fix.time - last).total_seconds() < cfg.off_route.check_every_s:
        return
    path = state.path(route)
    if path is None:
        return
    effects.move_clock(state.last_route_check, route.route_id, fix.time)
    change = judge_off_route(route, path, fix, cfg.off_route)
    if change is None:
        return
    effects.changed[route.route_id] = route
    message: dict[str, object] = {"route_id": route.route_id, "vehicle_id": route.vehicle_id}
    if isinstance(change, WentOffRoute):
        message |= {
            "status": "off_route",
            "since": change.since.isoformat(),
            "distance_m": change.distance_m,
        }
    else:
        message |= {"status": "on_route", "at": change.at.isoformat()}
    stream.publish(route.tenant_id, "route", message)
