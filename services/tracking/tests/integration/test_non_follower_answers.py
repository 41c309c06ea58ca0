"""A replica that does not follow the vehicle answers its driver from PostgreSQL: the route of
the day, "route finished" refused while stops are open, completions on the latest snapshot
(never on a copy it kept from an earlier completion), and breaks kept on the committed route
(where the follower's ETAs find them)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from tracking.adapters.broadcast import Broadcaster
from tracking.adapters.store import PgStore
from tracking.domain.route import RouteState
from tracking.service_layer.completion import CompleteStop, StopAlreadyCompleted, complete_stop
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route

from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration


async def _committed_route(app: RunningApp, producer: AIOKafkaProducer, tenant: str) -> object:
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    route = planned_route(route_id, vehicle, start, stops=2)
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    pool = app.state.runtime.pool

    async def committed() -> bool:
        return bool(
            await pool.fetchval("SELECT count(*) FROM routes WHERE route_id = $1", route_id)
        )

    await eventually(committed, what="the route committed")
    return route


async def _driven_elsewhere(
    app: RunningApp, producer: AIOKafkaProducer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, dict[str, str]]:
    """A committed route and its vehicle's device headers, on a replica that does not follow
    the vehicle."""
    tenant, auth = new_tenant()
    route: Any = await _committed_route(app, producer, tenant)
    vehicle = route.vehicle_id
    made = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    device = {"Authorization": f"Bearer {made.json()['device_token']}"}
    # This process becomes a replica whose partitions do not hold the vehicle.
    monkeypatch.setattr(app.state.ownership, "owns", lambda _t, _v: False)
    monkeypatch.setattr(app.state.tracker.state, "follows", lambda _t, _v: False)
    app.state.tracker.state.drop(lambda _t, v: v != vehicle)
    return route, device


async def test_the_driver_of_a_vehicle_followed_elsewhere_gets_its_route(
    app: RunningApp, producer: AIOKafkaProducer, monkeypatch: pytest.MonkeyPatch
) -> None:
    route, device = await _driven_elsewhere(app, producer, monkeypatch)

    today = (await app.client.get("/v1/device/route", headers=device)).json()
    assert today["route"] is not None and today["route"]["route_id"] == route.route_id
    finish = await app.client.post("/v1/device/finish", headers=device)
    assert finish.status_code == 409, finish.text  # both stops are still open


async def test_a_completion_on_a_non_follower_reads_the_latest_snapshot(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, _ = new_tenant()
    route = await _committed_route(app, producer, tenant)
    route_id = route.route_id  # type: ignore[attr-defined]
    first, second = (s.stop_id for s in route.stops)  # type: ignore[attr-defined]
    pool, config = app.state.runtime.pool, app.state.tracker.config

    def replica() -> Tracker:
        state = TrackingState(follows=lambda _t, _v: False)
        return Tracker(state, PgStore(), app.state.ping_writer, Broadcaster(), config)

    def done(stop_id: str) -> CompleteStop:
        return CompleteStop(tenant, route_id, stop_id, "delivered", datetime.now(UTC))

    b, c = replica(), replica()
    async with pool.acquire() as conn, conn.transaction():
        await complete_stop(b, conn, done(first))  # b keeps a copy of the route
    async with pool.acquire() as conn, conn.transaction():
        await complete_stop(c, conn, done(second))  # another replica completes the second stop
    with pytest.raises(StopAlreadyCompleted):
        async with pool.acquire() as conn, conn.transaction():
            await complete_stop(b, conn, done(second))  # on b's old copy it was still open


async def test_a_break_answered_by_a_non_follower_is_on_the_committed_route(
    app: RunningApp, producer: AIOKafkaProducer, monkeypatch: pytest.MonkeyPatch
) -> None:
    route, device = await _driven_elsewhere(app, producer, monkeypatch)
    pool = app.state.runtime.pool

    async def committed() -> RouteState:
        sql = "SELECT state FROM routes WHERE route_id = $1"
        return RouteState.from_json(await pool.fetchval(sql, route.route_id))

    began = await app.client.post("/v1/device/break", json={"action": "start"}, headers=device)
    assert began.status_code == 200, began.text
    assert (await committed()).on_break_since is not None
    ended = await app.client.post("/v1/device/break", json={"action": "end"}, headers=device)
    assert ended.status_code == 200, ended.text
    saved = await committed()
    assert saved.on_break_since is None and len(saved.breaks_taken) == 1
