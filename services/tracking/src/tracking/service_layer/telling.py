"""Telling ETAs: compute a route's ETAs from a fix and publish those that moved enough."""

from __future__ import annotations

from datetime import datetime

from lastmile_common.events.envelope import continuing

from tracking.domain.accuracy import arrival_errors
from tracking.domain.eta import StopEta, compute_etas
from tracking.domain.eta_policy import published, should_publish
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState, RouteStatus
from tracking.domain.travel import Travel
from tracking.service_layer import messages
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.effects import Batch, Effects
from tracking.service_layer.learning import errors_of, pace_of
from tracking.service_layer.ports import PingSink
from tracking.service_layer.state import TrackingState


def tell_etas(
    state: TrackingState,
    sink: PingSink,
    cfg: TrackerConfig,
    travel: Travel,
    route: RouteState,
    fix: Fix,
    effects: Effects,
    *,
    force: bool,
) -> list[StopEta]:
    """ETAs of the route's open stops; `eta.updated` for each the policy (or `force`) tells."""
    effects.move_clock(state.last_eta_at, route.route_id, fix.time)
    pace = pace_of(state, cfg, route, fix.time)
    errors = errors_of(state, cfg, route)
    etas = compute_etas(
        route, fix.lat, fix.lon, fix.time, travel, cfg.eta, pace=pace, errors=errors
    )
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
        effects.read[route.route_id] = route  # told from it: checked at its revision
    return etas


def etas_of_moved(
    state: TrackingState, sink: PingSink, cfg: TrackerConfig, travel: Travel, batch: Batch
) -> Effects:
    """ETAs of the vehicles that moved in a batch, once each, from its newest fix.

    After a rebalance or a stall one fetch holds seconds of every vehicle's pings: an ETA per
    ping was most of the catch-up's work, and each was stale before it was published (the
    current one queued behind them in the outbox). Arrivals were judged on every ping."""
    effects = Effects()
    for vehicle, fix, traceparent in batch.moved.values():
        route = state.current_route(vehicle, fix.time, cfg.progress.early_start_s)
        if route is None or route.status is not RouteStatus.STARTED:
            continue
        if etas_due(state, cfg, route, fix, batch.effects):
            with continuing(traceparent):  # the ping's trace, not a new one per batch
                tell_etas(state, sink, cfg, travel, route, fix, effects, force=False)
    batch.moved.clear()
    return effects


def etas_due(
    state: TrackingState, cfg: TrackerConfig, route: RouteState, fix: Fix, effects: Effects
) -> bool:
    """After progress, or when the last refresh is old enough (in ping time)."""
    last = state.last_eta_at.get(route.route_id)
    return (
        route.route_id in effects.changed
        or last is None
        or (fix.time - last).total_seconds() >= cfg.eta_recompute_s
    )


def measure_arrival(
    state: TrackingState, tenant_id: str, order_id: str, arrived_at: datetime, effects: Effects
) -> None:
    """The errors of the ETAs told for an order, now that the vehicle arrived."""
    history = state.history.get((tenant_id, order_id), [])
    errors = arrival_errors(history, arrived_at)
    if errors:
        effects.errors.append((tenant_id, order_id, errors, arrived_at))
