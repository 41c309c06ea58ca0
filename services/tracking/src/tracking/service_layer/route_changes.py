"""What a driver changes on a route besides pings (a completion, a break): the route as it
stands, and its ETAs told again once changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracking.domain.route import RouteState, RouteStatus
from tracking.service_layer.effects import Effects
from tracking.service_layer.tracker import Tracker


async def route_to_change(tracker: Tracker, conn: Any, route_id: str) -> RouteState | None:
    """A route as committed, locked until the caller's transaction ends: the copy a driver's
    change is made on, whichever replica answers. Never the followed route in memory, which may
    hold a ping batch's progress not yet committed. This replica, if it follows the route,
    reloads it before its next batch (the others hear of it through `RouteNews`); a batch that
    read it before and writes it after is refused (`RouteChanged`: the lock and the revision
    order the two) and runs again on the committed route."""
    tracker.state.changed_elsewhere(route_id)
    return await tracker.store.load_route(conn, route_id, lock=True)


async def driver_break(
    tracker: Tracker, conn: Any, tenant_id: str, route_id: str, at: datetime, *, started: bool
) -> None:
    """The driver started (or ended) a break: the route keeps it, so its ETAs hold every stop
    until the break ends and no longer add the planned break it stands for."""
    route = await route_to_change(tracker, conn, route_id)
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
        # Only the ETAs told: the route was a copy, and marking it stale here would reload it
        # in the middle of the owner's batch, dropping that batch's progress.
        tracker.undo(effects.in_memory())
        raise
