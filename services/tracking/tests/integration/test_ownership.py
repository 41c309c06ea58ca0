"""State follows partitions: a replica loads exactly the vehicles of the gps.pings.v1
partitions it is given, and flushes and forgets those taken from it."""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.routes import RoutePlanned
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.partitioning import partition_for
from lastmile_common.kafka.subscription import Assignment, Fenced
from tracking.adapters.ownership import Ownership
from tracking.adapters.recovery import recover
from tracking.service_layer.state import TrackingState
from tracking.simulation import planned_route

from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration
COUNT = 12


def given(*partitions: int) -> Assignment:
    return Assignment(frozenset((GPS_PINGS, p) for p in partitions), {GPS_PINGS: COUNT})


def replica_of(state: TrackingState, pool: Any, writer: Any, group: str = "") -> Ownership:
    """A replica of a test's own group: its epochs never fence the running app's consumer."""
    return Ownership(state, pool, writer, 86400, group=group or f"test-{uuid.uuid4().hex[:8]}")


def vehicles_on_two_partitions() -> tuple[str, str]:
    names = (f"v-{uuid.uuid4().hex[:8]}" for _ in itertools.count())
    first = next(names)
    other = next(n for n in names if partition_for(n, COUNT) != partition_for(first, COUNT))
    return first, other


async def two_routes_committed(
    app: RunningApp, producer: AIOKafkaProducer
) -> tuple[str, list[RoutePlanned]]:
    """A new tenant's routes of two vehicles on different partitions, saved by tracking."""
    tenant, _ = new_tenant()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    routes = [
        planned_route(f"r-{uuid.uuid4().hex[:8]}", v, start) for v in vehicles_on_two_partitions()
    ]
    for route in routes:
        await publish(producer, route, tenant=tenant, key=route.depot_id)
    pool = app.state.runtime.pool

    async def committed() -> bool:
        ids = [r.route_id for r in routes]
        n = await pool.fetchval("SELECT count(*) FROM routes WHERE route_id = ANY($1)", ids)
        return bool(n == len(ids))

    await eventually(committed, what="both routes committed")
    return tenant, routes


async def test_assignment_loads_exactly_its_vehicles_and_revocation_drops_them(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, routes = await two_routes_committed(app, producer)
    pool = app.state.runtime.pool
    (a, b) = routes
    pa, pb = partition_for(a.vehicle_id, COUNT), partition_for(b.vehicle_id, COUNT)
    state = TrackingState()
    replica = replica_of(state, pool, app.state.ping_writer)

    def ours() -> set[str]:
        return {r.route_id for r in routes} & set(state.routes)

    await replica.assigned(given(pa))
    assert ours() == {a.route_id}
    assert replica.owns(tenant, a.vehicle_id) and not replica.owns(tenant, b.vehicle_id)
    assert all(partition_for(v, COUNT) == pa for _, v in state.vehicles)
    await replica.assigned(given(pa, pb))  # only pb is new: nothing loaded twice
    assert ours() == {a.route_id, b.route_id}
    assert len(state.vehicles[(tenant, a.vehicle_id)].route_ids) == 1
    await replica.revoked(given(pa))
    assert ours() == {b.route_id}
    assert (tenant, a.vehicle_id) not in state.vehicles
    await replica.revoked(given(pb))
    assert not state.routes and not state.vehicles


class _Counting:
    """A connection that counts the rows each kind of read brings back."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.rows: Counter[str] = Counter()

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        rows = await self._conn.fetch(query, *args)
        kind = "told" if "etas_told" in query else "route" if "SELECT state" in query else "other"
        self.rows[kind] += len(rows)
        return rows


async def test_assignment_reads_only_the_routes_and_etas_of_its_vehicles(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, routes = await two_routes_committed(app, producer)
    pool = app.state.runtime.pool
    told_at = datetime.now(UTC)
    for route in routes:  # ETAs told of every order, as after a day of tracking
        for stop in route.stops:
            await pool.executemany(
                "INSERT INTO etas_told (tenant_id, order_id, told_at, eta, window_start,"
                " window_end, stops_away, sequence) VALUES ($1, $2, $3, $3, $3, $3, 1, $4)",
                [(tenant, stop.order_id, told_at, n) for n in range(20)],
            )
    a = routes[0]
    state = TrackingState()
    async with pool.acquire() as conn:
        counting = _Counting(conn)
        await recover(counting, state, 86400, lambda t, v: t == tenant and v == a.vehicle_id)
    assert {r.route_id for r in state.routes.values()} == {a.route_id}
    # Every route and every ETA told in the last `keep_s` were read and decoded, then dropped:
    # a rebalance waited seconds for it on a busy day.
    assert counting.rows["route"] == 1
    assert counting.rows["told"] == 20 * len(a.stops)


STALE = 1000  # a version no route reaches here: the mark of the (stale) replica's write


async def _stale_write(conn: Any, route_id: str) -> None:
    await conn.execute("UPDATE routes SET version = $2 WHERE route_id = $1", route_id, STALE)


async def _is_stale(pool: Any, route_id: str) -> bool:
    version = await pool.fetchval("SELECT version FROM routes WHERE route_id = $1", route_id)
    return bool(version == STALE)


async def owner_and_next(
    app: RunningApp, producer: AIOKafkaProducer
) -> tuple[Any, RoutePlanned, int, Ownership, Ownership]:
    """A committed route's partition, taken by one replica; another of its group to take it."""
    _, routes = await two_routes_committed(app, producer)
    pool, writer = app.state.runtime.pool, app.state.ping_writer
    route = routes[0]
    partition = partition_for(route.vehicle_id, COUNT)
    group = f"test-{uuid.uuid4().hex[:8]}"
    owner = replica_of(TrackingState(), pool, writer, group)
    await owner.assigned(given(partition))
    return pool, route, partition, owner, replica_of(TrackingState(), pool, writer, group)


async def test_a_replica_whose_partition_was_taken_cannot_commit_its_batch(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    """The stalled replica's batch: its writes are made, then (past the session timeout) the
    group gave the partition to another replica, which took it; the batch must roll back."""
    pool, route, partition, stalled, successor = await owner_and_next(app, producer)

    async def stalled_batch() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await _stale_write(conn, route.route_id)
            await successor.assigned(given(partition))  # the group moved it meanwhile
            await stalled.check(conn)

    with pytest.raises(Fenced):
        await stalled_batch()
    assert not await _is_stale(pool, route.route_id)
    assert stalled.fenced == {partition}
    async with pool.acquire() as conn, conn.transaction():
        await successor.check(conn)  # the new owner's batches go on
        with pytest.raises(Fenced):  # and the stalled one stays fenced until it is revoked
            await stalled.check(conn)
    await stalled.revoked(given(partition))
    assert not stalled.fenced and not stalled.epochs


async def test_a_batch_that_passed_the_fence_commits_before_the_new_owner_loads(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    """Held under FOR SHARE, the check makes the new owner's epoch bump (and so its load) wait
    for the batch: what the old owner committed is what the new one starts from."""
    pool, route, partition, old, new = await owner_and_next(app, producer)
    async with pool.acquire() as conn, conn.transaction():
        await _stale_write(conn, route.route_id)
        await old.check(conn)
        taking = asyncio.create_task(new.assigned(given(partition)))
        await asyncio.sleep(0.5)
        assert not taking.done()  # the bump waits for the batch holding the fence
    await asyncio.wait_for(taking, 10)
    assert await _is_stale(pool, route.route_id)  # committed while still the owner
    assert new.epochs[partition] == old.epochs[partition] + 1


async def test_a_stalled_batch_holding_the_fence_times_the_bump_out_and_it_is_retried(
    app: RunningApp, producer: AIOKafkaProducer, caplog: pytest.LogCaptureFixture
) -> None:
    """The new owner's bump gives up waiting for a stalled batch's FOR SHARE lock (lock_timeout)
    and tries again, instead of waiting inside the rebalance for as long as the stall lasts."""
    pool, _, partition, old, new = await owner_and_next(app, producer)
    with caplog.at_level(logging.WARNING, logger="tracking.adapters.ownership"):
        async with pool.acquire() as conn, conn.transaction():
            await old.check(conn)
            taking = asyncio.create_task(new.assigned(given(partition)))
            await asyncio.sleep(2.6)  # a stall longer than the bump's lock timeout
        await asyncio.wait_for(taking, 15)
    assert "LockNotAvailable" in caplog.text  # timed out, then retried
    assert new.epochs[partition] == old.epochs[partition] + 1
