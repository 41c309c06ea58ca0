"""State follows partitions: a replica holds exactly the vehicles of its `gps.pings.v1`
partitions (routes are re-keyed onto a co-partitioned topic, so theirs come with them)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from lastmile_common.db.pool import Connection
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.partitioning import partition_for
from lastmile_common.kafka.subscription import Assignment, Fenced

from tracking.adapters.ping_writer import PingWriter
from tracking.adapters.recovery import recover
from tracking.service_layer.state import TrackingState

log = logging.getLogger(__name__)
LOAD_ATTEMPTS = 10
LOAD_RETRY_S = 5.0  # between rounds of LOAD_ATTEMPTS once a rebalance's load gave up
# Each new owner of a partition bumps its epoch, in the transaction that loads its vehicles.
# Rows are locked in partition order, as `_CURRENT` locks them: a bump and a batch's check
# waiting on each other's rows would deadlock.
_TAKE = (
    "INSERT INTO partition_epochs (group_id, partition, epoch)"
    " SELECT $2, p, 1 FROM unnest($1::int[]) AS p ORDER BY p"
    " ON CONFLICT (group_id, partition) DO UPDATE SET epoch = partition_epochs.epoch + 1"
    " RETURNING partition, epoch"
)
# FOR SHARE: a new owner's bump waits for a batch holding it, so either that batch commits
# before the new owner loads the state, or it sees the new epoch and rolls back.
_CURRENT = (
    "SELECT partition, epoch FROM partition_epochs"
    " WHERE group_id = $2 AND partition = ANY($1::int[]) ORDER BY partition FOR SHARE"
)
# A stalled old owner's batch may hold its FOR SHARE locks for the whole stall: the bump gives
# up after this long and is tried again (LOAD_ATTEMPTS), instead of blocking the rebalance.
_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '2s'"
VEHICLE_GROUP = "tracking-pings"  # the consumer group whose partitions hold the vehicles


def stale_partitions(held: Mapping[int, int], current: Mapping[int, int]) -> set[int]:
    """The partitions whose epoch this replica holds is no longer the current one."""
    return {p for p, epoch in held.items() if current.get(p) != epoch}


class Ownership:
    """The vehicle group's rebalance hooks: load the snapshots of the vehicles assigned, flush
    and forget those revoked (eager rebalancing: all are revoked before any is assigned, so no
    vehicle is ever followed by two replicas at once)."""

    def __init__(
        self,
        state: TrackingState,
        pool: Any,
        writer: PingWriter,
        keep_s: int,
        group: str = VEHICLE_GROUP,
    ) -> None:
        self._state, self._pool, self._writer, self._keep_s = state, pool, writer, keep_s
        self._group = group
        self.partitions: set[int] = set()
        self.epochs: dict[int, int] = {}  # partition -> the epoch this replica took it with
        self.fenced: set[int] = set()  # taken by another replica since; batches roll back
        self.unloaded: set[int] = set()  # assigned, but their state failed to load: refused
        self._retry: asyncio.Task[None] | None = None
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

        try:
            taken, loaded = await self._load(new, arriving)
        except Exception:
            # Without their state (and their epoch, which `check` would have looked at) no batch
            # may run: all are refused until a load in the background succeeds.
            self.unloaded |= new
            self._retry = asyncio.create_task(self._load_later(new, arriving))
            raise
        self._took(new, taken)
        # How long the group's join took (since this member gave its partitions up; on Tansu
        # most of a rebalance's pause) and the load of the new partitions' vehicles.
        times = {
            "joined_s": round(started - self._revoked_at, 3),
            "load_s": round(time.perf_counter() - started, 3),
        }
        log.info("partitions assigned", extra={"partitions": sorted(new), **times, **loaded})

    async def _load(
        self, new: set[int], arriving: Callable[[str, str], bool]
    ) -> tuple[list[Any], dict[str, Any]]:
        """Bump the new partitions' epochs and load their vehicles, tried LOAD_ATTEMPTS times."""
        attempt = 1
        while True:
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    await conn.execute(_LOCK_TIMEOUT)
                    taken = await conn.fetch(_TAKE, sorted(new), self._group)
                    loaded = await recover(conn, self._state, self._keep_s, arriving)
                return taken, loaded
            except Exception:
                self._state.drop(lambda t, v: not arriving(t, v))
                if attempt == LOAD_ATTEMPTS:
                    raise
                log.warning("loading partitions' state failed; retrying", exc_info=True)
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
                attempt += 1

    async def _load_later(self, new: set[int], arriving: Callable[[str, str], bool]) -> None:
        while True:
            await asyncio.sleep(LOAD_RETRY_S)
            try:
                taken, _ = await self._load(new, arriving)
            except Exception:
                log.exception("loading partitions' state failed again; batches stay refused")
                continue
            self._took(new, taken)
            log.info("partitions loaded at last", extra={"partitions": sorted(new)})
            return

    def _took(self, new: set[int], taken: list[Any]) -> None:
        self.partitions |= new
        self.epochs.update((row["partition"], row["epoch"]) for row in taken)
        self.fenced -= new
        self.unloaded -= new

    async def revoked(self, assignment: Assignment) -> None:
        """The batch in flight has committed: write what is buffered, then let the vehicles go."""
        self._revoked_at = time.perf_counter()
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        self.unloaded -= assignment.of(GPS_PINGS)
        gone = assignment.of(GPS_PINGS) & self.partitions
        if not gone:
            return
        try:
            await self._writer.flush()  # on failure it keeps its rows for the next flush
        finally:
            # aiokafka goes on with the rebalance whatever a hook raises: never keep following
            # partitions that are no longer consumed here.
            self.partitions -= gone
            self.fenced -= gone
            for partition in gone:
                self.epochs.pop(partition, None)
            dropped = self._state.drop(self.owns)
            log.info("partitions revoked", extra={"partitions": sorted(gone), "vehicles": dropped})

    async def check(self, conn: Connection) -> None:
        """The fence, in every batch's transaction: raise `Fenced` (the batch rolls back, with
        no side effects) if another replica took one of this one's partitions since."""
        if self.epochs and not self.fenced:
            rows = await conn.fetch(_CURRENT, list(self.epochs), self._group)
            self.fenced = stale_partitions(self.epochs, {r["partition"]: r["epoch"] for r in rows})
        self.refuse()

    def refuse(self) -> None:
        """Raise `Fenced` if a check already found a partition taken: a batch then never even
        starts (no handler runs, nothing of it reaches the ping buffer or the stream)."""
        if self.fenced:
            raise Fenced(f"partitions {sorted(self.fenced)} of {GPS_PINGS} have a newer owner")
        if self.unloaded:
            raise Fenced(f"partitions {sorted(self.unloaded)} of {GPS_PINGS} are not loaded yet")
