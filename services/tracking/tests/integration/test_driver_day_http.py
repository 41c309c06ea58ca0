"""The driver's day over HTTP: a break starts and ends once, the route is finished only when
no stop is open; dispatchers see both on their live stream."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from tracking.simulation import planned_route

from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration


async def test_break_and_route_finished(app: RunningApp, producer: AIOKafkaProducer) -> None:
    tenant, auth = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    route = planned_route(route_id, vehicle, start, stops=1)
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    await eventually(lambda: route_id in app.state.tracker.state.routes)
    made = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    device = {"Authorization": f"Bearer {made.json()['device_token']}"}
    seen = app.state.broadcaster.subscribe(tenant)

    async def post(
        path: str, body: dict[str, str] | None = None, who: dict[str, str] = device
    ) -> int:
        return (await app.client.post(path, json=body or {}, headers=who)).status_code

    assert await post("/v1/device/break", {"action": "start"}, auth) == 403
    assert await post("/v1/device/break", {"action": "end"}) == 409
    assert await post("/v1/device/break", {"action": "start"}) == 200
    on_break = (await app.client.get("/v1/device/route", headers=device)).json()
    assert on_break["break_started_at"] is not None
    assert await post("/v1/device/break", {"action": "start"}) == 409
    assert await post("/v1/device/break", {"action": "end"}) == 200
    assert (await app.client.get("/v1/device/route", headers=device)).json()[
        "break_started_at"
    ] is None

    refused = await app.client.post("/v1/device/finish", headers=device)
    assert refused.status_code == 409
    assert refused.json()["detail"] == f"1 stops still open: {route.stops[0].stop_id}"
    failed = {"outcome": "failed", "reason_code": "nobody_home"}
    done = await app.client.post(
        f"/v1/routes/{route_id}/stops/{route.stops[0].stop_id}:complete",
        json=failed,
        headers=device,
    )
    assert done.status_code == 200, done.text
    assert await post("/v1/device/finish") == 200
    kinds = []
    while not seen.empty():
        kind, data = seen.get_nowait()
        if kind == "driver":
            kinds.append(data["kind"])
    assert kinds == ["break_started", "break_ended", "route_finished"]
