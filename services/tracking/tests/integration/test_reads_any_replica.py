"""Reads answer from PostgreSQL: a replica that does not follow the vehicle (its partition is
another replica's, or a rebalance just moved it) serves the same tracking page and vehicles."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.pings import Ping
from lastmile_common.events.routes import RoutePlanned
from tracking.adapters.broadcast import Broadcaster
from tracking.adapters.route_news import RELISTEN_S, RouteNews
from tracking.adapters.store import PgStore
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState, RouteStatus, StopStatus, route_from_event
from tracking.entrypoints.consumers import BatchWriter
from tracking.service_layer.completion import CompleteStop, complete_stop
from tracking.service_layer.ports import RouteChanged
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route, route_trace

from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration


def forget(app: RunningApp, tenant: str, vehicle: str, route_id: str) -> None:
    """Make this process a replica that holds nothing of the vehicle."""
    state = app.state.tracker.state
    state.routes.pop(route_id, None)
    state.vehicles.pop((tenant, vehicle), None)


async def test_a_replica_without_the_route_serves_the_page_and_the_vehicles(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    route = planned_route(route_id, vehicle, start, stops=2)
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    await eventually(lambda: route_id in app.state.tracker.state.routes)
    tokens = [s.token for s in app.state.tracker.state.routes[route_id].stops]
    first = route.stops[0]
    done = await app.client.post(
        f"/v1/routes/{route_id}/stops/{first.stop_id}:complete",
        json={"outcome": "delivered", "proof": {"photo_ref": "media/p.jpg"}},
        headers=auth,
    )
    assert done.status_code == 200, done.text

    forget(app, tenant, vehicle, route_id)

    delivered = await app.client.get(f"/track/{tokens[0]}.json")
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["status"] == "delivered"
    nxt = await app.client.get(f"/track/{tokens[1]}.json")
    assert nxt.status_code == 200, nxt.text
    assert nxt.json()["status"] == "next"  # the first stop done: the route started
    assert nxt.json()["destination"] is not None
    page = await app.client.get(f"/track/{tokens[1]}")
    assert page.status_code == 200
    assert "You are the next stop" in page.text
    listed = (await app.client.get("/v1/vehicles", headers=auth)).json()["vehicles"]
    assert [v["vehicle_id"] for v in listed] == [vehicle]  # no ping yet: no position


async def test_the_stream_tells_what_another_replica_follows(
    app: RunningApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Positions and route progress that another replica writes reach this replica's stream."""
    tenant, auth = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(app.state.ownership, "owns", lambda t, v: v != vehicle)
    start = datetime.now(UTC).replace(microsecond=0)
    route = route_from_event(tenant, planned_route(route_id, vehicle, start, stops=1), {})
    pool = app.state.runtime.pool

    async def save(state: RouteState) -> None:  # as the owning replica's batch writes it
        await pool.execute(
            "INSERT INTO routes (route_id, tenant_id, vehicle_id, version, status, state)"
            " VALUES ($1, $2, $3, 1, $4, $5::jsonb) ON CONFLICT (route_id) DO UPDATE SET"
            " status = EXCLUDED.status, state = EXCLUDED.state, updated_at = now()",
            route_id,
            tenant,
            vehicle,
            state.status.value,
            state.to_json(),  # the pool encodes jsonb
        )

    await save(route)
    seen: list[str] = []
    async with (
        httpx.AsyncClient(base_url=app.url, timeout=20) as client,
        client.stream("GET", "/v1/stream", headers=auth) as stream,
    ):
        lines = stream.aiter_lines()
        while not any(line.startswith("data:") for line in seen):
            seen.append(await anext(lines))
        assert vehicle in seen[-1]  # the snapshot, from PostgreSQL
        await pool.execute(
            "INSERT INTO vehicle_positions (tenant_id, vehicle_id, time, lat, lon)"
            " VALUES ($1, $2, $3, 52.5, 13.4)",
            tenant,
            vehicle,
            start,
        )
        route.status = RouteStatus.STARTED
        await save(route)
        while not (
            any('"status": "started"' in line for line in seen)
            and any('"lat": 52.5' in line for line in seen)
        ):
            seen.append(await asyncio.wait_for(anext(lines), 10))
    started = [line for line in seen if '"status": "started"' in line]
    assert started and route_id in started[0], seen


async def test_the_owner_reloads_a_route_another_replica_completed_a_stop_of(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    """A driver's completion answered by a replica that does not follow the vehicle reaches
    the owner's memory before its next batch (else it would write its older snapshot over)."""
    tenant, _ = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    route = planned_route(route_id, vehicle, start, stops=2)
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    pool = app.state.runtime.pool
    owner = app.state.tracker

    async def committed() -> bool:
        return bool(
            await pool.fetchval("SELECT count(*) FROM routes WHERE route_id = $1", route_id)
        )

    await eventually(committed, what="the route committed")
    first = route.stops[0].stop_id
    other = Tracker(TrackingState(), PgStore(), app.state.ping_writer, Broadcaster(), owner.config)
    news = RouteNews(TrackingState())  # another replica's
    cmd = CompleteStop(tenant, route_id, first, "delivered", datetime.now(UTC), photo_ref="p.jpg")
    async with pool.acquire() as conn, conn.transaction():
        await complete_stop(other, conn, cmd)
        await news.announce(conn, route_id)
    assert owner.state.routes[route_id].stop(first).status is StopStatus.PENDING
    ping = Ping(vehicle_id=vehicle, time=datetime.now(UTC), lat=52.5, lon=13.4)
    await publish(producer, ping, tenant=tenant, key=vehicle)  # the owner's next batch
    await eventually(
        lambda: owner.state.routes[route_id].stop(first).status is StopStatus.DELIVERED,
        what="the owner's memory to learn the completion",
    )


def replica(app: RunningApp) -> Tracker:
    """Another replica's tracker on the app's database."""
    config = app.state.tracker.config
    return Tracker(TrackingState(), PgStore(), app.state.ping_writer, Broadcaster(), config)


async def owned_route(app: RunningApp) -> tuple[str, Tracker, RoutePlanned, list[Fix]]:
    """A new route of a vehicle `owner` follows (committed), and the trace that drives it."""
    tenant, _ = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    event = planned_route(route_id, vehicle, start, stops=2)
    owner = replica(app)
    async with app.state.runtime.pool.acquire() as conn, conn.transaction():
        await owner.route_planned(conn, tenant, event)
    return tenant, owner, event, route_trace(event, start)[:30]


async def batch(
    conn: Any,
    day: tuple[str, Tracker, RoutePlanned, list[Fix]],
    writer: BatchWriter,
    meanwhile: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """The owner's consumer batch of the day's fixes up to its COMMIT (left to the caller);
    `meanwhile` runs after its handlers, before its write."""
    tenant, owner, event, fixes = day
    writer.begin()
    for fix in fixes:
        received = fix.time + timedelta(seconds=1)
        await owner.pings(conn, tenant, event.vehicle_id, [fix], received, writer.batch)
    if meanwhile is not None:
        await meanwhile()
    await writer.before_commit(conn)


def delivered(app: RunningApp, day: tuple[str, Tracker, RoutePlanned, list[Fix]]) -> Any:
    """Another replica's completion of the day's second stop, in a transaction of its own."""
    tenant, _, event, _ = day
    later = event.start_time + timedelta(hours=3)  # never when the batch saw the van leave
    done = CompleteStop(tenant, event.route_id, event.stops[1].stop_id, "delivered", later)

    async def complete() -> None:
        async with app.state.runtime.pool.acquire() as conn, conn.transaction():
            await complete_stop(replica(app), conn, done)

    return complete


async def test_a_batch_in_flight_never_writes_over_a_completion_committed_meanwhile(
    app: RunningApp,
) -> None:
    """The owner's batch read the route before another replica completed a stop of it: its
    write is refused, and run again on the committed route it keeps both."""
    day = await owned_route(app)
    _, owner, event, _ = day
    writer = BatchWriter(owner)

    async def meanwhile() -> None:
        assert owner.state.routes[event.route_id].status is RouteStatus.STARTED
        await delivered(app, day)()

    async with app.state.runtime.pool.acquire() as conn:
        with pytest.raises(RouteChanged):
            async with conn.transaction():
                await batch(conn, day, writer, meanwhile)
        writer.rolled_back()
        async with conn.transaction():  # as the runner runs a conflicting batch again
            await batch(conn, day, writer)
        departed = owner.state.routes[event.route_id].started_at
        stored = await PgStore().load_route(conn, event.route_id)
    assert departed is not None
    assert stored is not None and stored.started_at == departed  # the batch's progress kept
    assert stored.stop(event.stops[1].stop_id).status is StopStatus.DELIVERED


async def test_a_completion_waits_for_the_batch_that_wrote_the_route_and_keeps_its_progress(
    app: RunningApp,
) -> None:
    """A completion that comes while the owner's batch has written the route but not committed
    builds on what the batch commits, never on the snapshot before it."""
    day = await owned_route(app)
    _, owner, event, _ = day
    async with app.state.runtime.pool.acquire() as conn:
        async with conn.transaction():
            await batch(conn, day, BatchWriter(owner))
            departed = owner.state.routes[event.route_id].started_at
            completing = asyncio.create_task(delivered(app, day)())
            await asyncio.sleep(0.5)
            assert not completing.done()  # it waits for the batch's row lock
        await asyncio.wait_for(completing, 10)
        stored = await PgStore().load_route(conn, event.route_id)
    assert departed is not None
    assert stored is not None and stored.started_at == departed  # the batch's progress kept
    assert stored.stop(event.stops[1].stop_id).status is StopStatus.DELIVERED


async def test_route_news_listens_again_when_the_server_drops_its_connection(
    app: RunningApp,
) -> None:
    pool = app.state.runtime.pool
    state = TrackingState()
    route = route_from_event(
        "t1", planned_route(f"r-{uuid.uuid4().hex[:8]}", "v1", datetime.now(UTC)), {}
    )
    state.add_route(route)
    news = RouteNews(state)
    async with news.listening(pool):
        dropped = await pool.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        )
        assert dropped >= 1
        await asyncio.sleep(RELISTEN_S + 0.5)
        async with pool.acquire() as conn, conn.transaction():
            await news.announce(conn, route.route_id)
        await eventually(lambda: route.route_id in state.elsewhere, what="the news heard")
