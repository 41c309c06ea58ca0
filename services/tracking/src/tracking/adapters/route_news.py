"""Routes changed outside the vehicle's owner (a driver's completion answered by another
replica): announced with NOTIFY in the changing transaction; the owner reloads them between
two batches, so its memory never writes an older snapshot over the change."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from tracking.service_layer.state import TrackingState

CHANNEL = "tracking_route_changed"
log = logging.getLogger(__name__)


class RouteNews:
    """This replica's announcements and what it hears of the others'."""

    def __init__(self, state: TrackingState) -> None:
        self._state = state
        self.sender = uuid.uuid4().hex

    async def announce(self, conn: Any, route_id: str) -> None:
        """Tell every replica, once `conn`'s transaction commits, that the route changed."""
        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{self.sender} {route_id}")

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

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        sender, _, route_id = payload.partition(" ")
        if sender != self.sender:
            self._state.changed_elsewhere(route_id)
