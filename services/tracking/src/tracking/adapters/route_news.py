"""Routes changed outside the vehicle's batches (a driver's completion or break, answered by any
replica): announced with NOTIFY in the changing transaction, heard by every replica once it
commits, this one included; the owner reloads them between two batches. Without it the owner
would go on from its older copy (ETAs of a delivered stop) until a write of it were refused by
the revision check."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from tracking.service_layer.state import TrackingState

CHANNEL = "tracking_route_changed"
log = logging.getLogger(__name__)


class RouteNews:
    """This replica's announcements, and what it hears of every replica's."""

    def __init__(self, state: TrackingState) -> None:
        self._state = state

    async def announce(self, conn: Any, route_id: str) -> None:
        """Tell every replica, once `conn`'s transaction commits, that the route changed."""
        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, route_id)

    @contextlib.asynccontextmanager
    async def listening(self, pool: Any) -> AsyncIterator[None]:
        """Hear the other replicas' announcements on a connection of its own."""
        conn = await pool.acquire()
        await conn.add_listener(CHANNEL, self._heard)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await conn.remove_listener(CHANNEL, self._heard)
            await pool.release(conn)

    def _heard(self, _conn: object, _pid: int, _channel: str, route_id: str) -> None:
        # Also this replica's own changes: heard after their commit, where the mark made while
        # their transaction ran may have been spent by a batch that began before it committed.
        self._state.changed_elsewhere(route_id)
