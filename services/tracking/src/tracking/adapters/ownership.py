"""State follows partitions: a replica holds exactly the vehicles of its `gps.pings.v1`
partitions (routes are re-keyed onto a co-partitioned topic, so theirs come with them)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.partitioning import partition_for
from lastmile_common.kafka.subscription import Assignment

from tracking.adapters.ping_writer import PingWriter
from tracking.adapters.recovery import recover
from tracking.service_layer.state import TrackingState

log = logging.getLogger(__name__)
LOAD_ATTEMPTS = 10


class Ownership:
    """The vehicle group's rebalance hooks: load the snapshots of the vehicles assigned, flush
    and forget those revoked (eager rebalancing: all are revoked before any is assigned, so no
    vehicle is ever followed by two replicas at once)."""

    def __init__(self, state: TrackingState, pool: Any, writer: PingWriter, keep_s: int) -> None:
        self._state, self._pool, self._writer, self._keep_s = state, pool, writer, keep_s
        self.partitions: set[int] = set()
        self._count = 0
        self._revoked_at = time.perf_counter()
        state.follows = self.owns

    def owns(self, tenant_id: str, vehicle_id: str) -> bool:
        """Whether this replica follows the vehicle (its pings' partition is assigned here)."""
        return bool(self._count) and partition_for(vehicle_id, self._count) in self.partitions

    async def assigned(self, assignment: Assignment) -> None:
        """Load the routes, positions and ETAs told of the new partitions' vehicles."""
        new = assignment.of(GPS_PINGS) - self.partitions
        self._count = assignment.counts.get(GPS_PINGS, self._count)
        if not new or not self._count:
            return
        count = self._count
        started = time.perf_counter()

        def arriving(tenant_id: str, vehicle_id: str) -> bool:
            return partition_for(vehicle_id, count) in new

        for attempt in range(1, LOAD_ATTEMPTS + 1):
            try:
                async with self._pool.acquire() as conn:
                    loaded = await recover(conn, self._state, self._keep_s, arriving)
                break
            except Exception:
                if attempt == LOAD_ATTEMPTS:
                    raise
                log.warning("loading partitions' state failed; retrying", exc_info=True)
                self._state.drop(lambda t, v: not arriving(t, v))
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
        self.partitions |= new
        # How long the group's join took (since this member gave its partitions up; on Tansu
        # most of a rebalance's pause) and the load of the new partitions' vehicles.
        times = {
            "joined_s": round(started - self._revoked_at, 3),
            "load_s": round(time.perf_counter() - started, 3),
        }
        log.info("partitions assigned", extra={"partitions": sorted(new), **times, **loaded})

    async def revoked(self, assignment: Assignment) -> None:
        """The batch in flight has committed: write what is buffered, then let the vehicles go."""
        self._revoked_at = time.perf_counter()
        gone = assignment.of(GPS_PINGS) & self.partitions
        if not gone:
            return
        try:
            await self._writer.flush()  # on failure it keeps its rows for the next flush
        finally:
            # aiokafka goes on with the rebalance whatever a hook raises: never keep following
            # partitions that are no longer consumed here.
            self.partitions -= gone
            dropped = self._state.drop(self.owns)
            log.info("partitions revoked", extra={"partitions": sorted(gone), "vehicles": dropped})
