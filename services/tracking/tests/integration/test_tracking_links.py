"""A confirmation's tracking link works before tracking has seen the order on any route."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.tracking_links import DEV_SECRET, link_token
from tracking.simulation import planned_route

from lastmile.testing.fixtures import publish

from .conftest import TrackingApp, new_tenant, wait_until

pytestmark = pytest.mark.integration


async def test_the_derived_link_works_from_confirmation_to_route(
    tracking: TrackingApp, producer: AIOKafkaProducer
) -> None:
    tenant, _ = new_tenant()
    order_id = str(uuid.uuid4())
    token = link_token(DEV_SECRET, order_id)  # what the notifier puts in the confirmation

    received = await tracking.client.get(f"/track/{token}.json")
    assert received.status_code == 200, received.text
    assert received.json()["status"] == "received"
    assert received.json()["order_id"] == order_id
    page = await tracking.client.get(f"/track/{token}")
    assert page.status_code == 200
    assert "We have your order" in page.text
    forged = link_token("not-the-secret", order_id)
    assert (await tracking.client.get(f"/track/{forged}")).status_code == 404
    assert (await tracking.client.get("/track/")).status_code == 404

    # Planned: the same link now shows the order's route stop, and tracking's token is it.
    route_id = f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    route = planned_route(route_id, f"v-{uuid.uuid4().hex[:6]}", start, stops=2)
    stops = (route.stops[0].model_copy(update={"order_id": order_id}), *route.stops[1:])
    await publish(
        producer, route.model_copy(update={"stops": stops}), tenant=tenant, key=route.depot_id
    )
    await wait_until(lambda: route_id in tracking.tracker.state.routes)
    planned = tracking.tracker.state.routes[route_id].stops[0]
    assert planned.token == token
    scheduled = (await tracking.client.get(f"/track/{token}.json")).json()
    assert scheduled["status"] == "scheduled"
    assert scheduled["destination"] is not None
