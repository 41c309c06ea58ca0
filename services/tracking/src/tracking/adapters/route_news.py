"""Routes changed outside the vehicle's batches (a driver's completion or break, answered by any
replica): announced with NOTIFY in the changing transaction, heard by every replica once it
commits, this one included; the owner reloads them between two batches. Without it the owner
would go on from its older copy (ETAs of a delivered stop) until a write of it were refused by
the revision check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from tracking.service_layer.state import TrackingState

CHANNEL = "tracking_route_changed"
RELISTEN_S = 1.0
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
        """Hear every replica's announcements on a connection of its own, listening again on
        another if the server drops it (meanwhile the revision check still refuses a write
        from an older copy, only later)."""
        first = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._listen(pool, first))
        try:
            await first
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self, pool: Any, first: asyncio.Future[None]) -> None:
        while True:
            try:
                await self._listen_once(pool, first)
            except Exception:
                log.warning("route news: listening connection lost", exc_info=True)
            if not first.done():
                first.set_result(None)  # the service starts; news come once a connection does
            log.warning("route news: listening again")
            await asyncio.sleep(RELISTEN_S)

    async def _listen_once(self, pool: Any, first: asyncio.Future[None]) -> None:
        """Listen until the connection is lost."""
        async with pool.acquire() as conn:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, self._heard)
            if not first.done():
                first.set_result(None)
            try:
                await lost.wait()
            finally:
                with contextlib.suppress(Exception):
                    await conn.remove_listener(CHANNEL, self._heard)

    def _heard(self, _conn: object, _pid: int, _channel: str, route_id: str) -> None:
        # Also this replica's own changes: heard after their commit, where the mark made while
        # their transaction ran may have been spent by a batch that began before it committed.
        self._state.changed_elsewhere(route_id)
