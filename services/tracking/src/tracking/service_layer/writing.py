"""The tracker's effects written on a transaction's connection, or forgotten when it fails."""

from __future__ import annotations

from typing import Any

from tracking.service_layer.effects import Effects
from tracking.service_layer.ports import RouteChanged, Store
from tracking.service_layer.state import TrackingState


async def write(store: Store, state: TrackingState, conn: Any, effects: Effects) -> None:
    """Routes and events together (with the revisions of the routes read checked), ETA errors
    apart (rare). Routes another writer changed meanwhile are reloaded before the next batch."""
    for tenant_id, order_id, errors, at in effects.errors:
        await store.save_errors(conn, tenant_id, order_id, errors, at)
    if not (effects.changed or effects.events):
        return
    changed = effects.changed
    read = [r for r in effects.read.values() if r.route_id not in changed]
    try:
        await store.save_routes_and_events(conn, list(changed.values()), effects.events, read)
    except RouteChanged as exc:
        for route_id in exc.route_ids:
            state.changed_elsewhere(route_id)
        raise


def forget(state: TrackingState, effects: Effects) -> None:
    """Undo what a call whose write failed did to the live state: its routes reload on next
    use, its ETAs told and its clocks are put back."""
    state.stale.update(effects.changed)
    for key, told, last in reversed(effects.told):
        state.forget_told(key, told, last)
    for clock, route_id, before in reversed(effects.clocks):
        if before is None:
            clock.pop(route_id, None)
        else:
            clock[route_id] = before
