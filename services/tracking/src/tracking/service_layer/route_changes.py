"""What a driver changes on a route besides pings (a completion, a break): the route as it
stands, and its ETAs told again once changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracking.domain.route import RouteState, RouteStatus
from tracking.service_layer.effects import Effects
from tracking.service_layer.tracker import Tracker


async def committed_route(tracker: Tracker, conn: Any, route_id: str) -> RouteState | None:
    """A route as it stands: from memory where this replica follows its vehicle, else (or when
    stale) from its committed snapshot, which holds the other replicas' changes."""
    state = tracker.state
    known = state.routes.get(route_id)
    followed = known is not None and state.follows(known.tenant_id, known.vehicle_id)
    if route_id in state.stale or not followed:
        await tracker.reload_route(conn, route_id)
    return state.routes.get(route_id)


async def driver_break(
    tracker: Tracker, conn: Any, tenant_id: str, route_id: str, at: datetime, *, started: bool
) -> None:
    """The driver started (or ended) a break: the route keeps it, so its ETAs hold every stop
    until the break ends and no longer add the planned break it stands for."""
    route = await committed_route(tracker, conn, route_id)
    if route is None or route.tenant_id != tenant_id:
        return
    if started:
        route.take_break(at)
    else:
        route.end_break(at)
    await tell_and_write(tracker, conn, route, Effects(changed={route.route_id: route}))


async def tell_and_write(tracker: Tracker, conn: Any, route: RouteState, effects: Effects) -> None:
    """ETAs of the changed route from the vehicle's last fix, then every effect written (undone
    in memory if the write fails: the driver's retry must not meet a 409)."""
    vehicle = tracker.state.vehicle(route.tenant_id, route.vehicle_id)
    if route.status is RouteStatus.STARTED and vehicle.last is not None:
        tracker.refresh_etas(route, vehicle.last, effects, force=False)
    try:
        await tracker.write(conn, effects)
    except BaseException:
        tracker.undo(effects)
        raise
