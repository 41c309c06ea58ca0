"""Telling ETAs: compute a route's ETAs from a fix and publish those that moved enough."""

from __future__ import annotations

from tracking.domain.eta import StopEta, compute_etas
from tracking.domain.eta_policy import published, should_publish
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState
from tracking.service_layer import messages
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.effects import Effects
from tracking.service_layer.ports import PingSink
from tracking.service_layer.state import TrackingState


def tell_etas(
    state: TrackingState,
    sink: PingSink,
    cfg: TrackerConfig,
    route: RouteState,
    fix: Fix,
    effects: Effects,
    *,
    force: bool,
) -> list[StopEta]:
    """ETAs of the route's open stops; `eta.updated` for each the policy (or `force`) tells."""
    state.last_eta_at[route.route_id] = fix.time
    etas = compute_etas(route, fix.lat, fix.lon, fix.time, cfg.travel, cfg.eta)
    tokens = {s.stop_id: s.token for s in route.stops}
    for eta in etas:
        key = (route.tenant_id, eta.order_id)
        last = state.told.get(key)
        if not force and not should_publish(cfg.policy, last, eta, fix.time):
            continue
        told = published(eta, fix.time, last)
        state.remember_told(key, told)
        effects.told.append((key, told, last))
        sink.told(route.tenant_id, eta.order_id, told)
        data = messages.eta_updated(route, eta, told, tokens.get(eta.stop_id))
        effects.emit(data, route.tenant_id, eta.order_id, subject=eta.order_id)
    return etas
