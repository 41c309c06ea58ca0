"""What tracking learns from the day for its ETAs: the fleet's and each driver's pace, and the
error of the ETAs it told (kept in memory: after a restart the day's routes teach the pace
again at once, and errors are measured afresh from the next arrivals)."""

from __future__ import annotations

from datetime import datetime

from tracking.domain.eta_error import ErrorBook, told_errors
from tracking.domain.pace import Pace, driver_pace, fleet_pace
from tracking.domain.route import RouteState
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.state import TrackingState


def pace_of(state: TrackingState, cfg: TrackerConfig, route: RouteState, at: datetime) -> Pace:
    """The pace to drive `route` at: its driver's, over the fleet of its depot."""
    known = state.fleet.get(route.depot_id)
    if known is None or abs((at - known[0]).total_seconds()) >= cfg.fleet_pace_every_s:
        routes = [r for r in state.routes.values() if r.depot_id == route.depot_id]
        known = (at, fleet_pace(routes, cfg.pace))
        state.fleet[route.depot_id] = known
    vehicle = state.vehicle(route.tenant_id, route.vehicle_id)
    own = [state.routes[r] for r in vehicle.route_ids if r in state.routes]
    return driver_pace(own, known[1], at, cfg.pace)


def errors_of(state: TrackingState, cfg: TrackerConfig, route: RouteState) -> ErrorBook:
    """The measured ETA errors of a route's depot."""
    book = state.errors.get(route.depot_id)
    if book is None:
        book = state.errors[route.depot_id] = ErrorBook(cfg.windows)
    return book


def learn_arrival(
    state: TrackingState, cfg: TrackerConfig, route: RouteState, order_id: str, at: datetime
) -> None:
    """The errors of the ETAs told for an order, now that its vehicle arrived; once per order
    (a batch processed again after a failed write sees the same arrival twice)."""
    key = (route.tenant_id, order_id)
    told = state.history.get(key)
    if not told or key in state.learned:
        return
    state.learned.add(key)
    book = errors_of(state, cfg, route)
    for bucket, error in told_errors(told, at):
        book.add(bucket, error)
