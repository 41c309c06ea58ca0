"""A confirmation's tracking link works before tracking has seen the order on any route."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.tracking_links import DEV_SECRET, link_token
from tracking.simulation import planned_route

from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration


async def test_the_derived_link_works_from_confirmation_to_route(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, _ = new_tenant()
    order_id = str(uuid.uuid4())
    token = link_token(DEV_SECRET, order_id)  # what the notifier puts in the confirmation
    assert len(app.state.streets) > 500  # the customer map's streets, read from the extract

    received = await app.client.get(f"/track/{token}.json")
    assert received.status_code == 200, received.text
    assert received.json()["status"] == "received"
    assert received.json()["order_id"] == order_id
    page = await app.client.get(f"/track/{token}")
    assert page.status_code == 200
    assert "We have your order" in page.text
    forged = link_token("not-the-secret", order_id)
    assert (await app.client.get(f"/track/{forged}")).status_code == 404
    assert (await app.client.get("/track/")).status_code == 404

    # Planned: the same link now shows the order's route stop, and tracking's token is it.
    route_id = f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    route = planned_route(route_id, f"v-{uuid.uuid4().hex[:6]}", start, stops=2)
    stops = (route.stops[0].model_copy(update={"order_id": order_id}), *route.stops[1:])
    await publish(
        producer, route.model_copy(update={"stops": stops}), tenant=tenant, key=route.depot_id
    )
    await eventually(lambda: route_id in app.state.tracker.state.routes)
    planned = app.state.tracker.state.routes[route_id].stops[0]
    assert planned.token == token

    async def scheduled() -> dict[str, object] | None:
        view = (await app.client.get(f"/track/{token}.json")).json()
        return view if view["status"] == "scheduled" else None  # once the route is committed

    view = await eventually(scheduled, what="the planned order's view")
    assert view["destination"] is not None


async def test_a_link_follows_its_order_across_a_re_plan(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    """Re-planned off its route the order shows "received", then its new route's stop; route
    events of two vehicles may arrive in any order, so the token's route is only a hint."""
    tenant, _ = new_tenant()
    order_id = str(uuid.uuid4())
    token = link_token(DEV_SECRET, order_id)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    first = planned_route(f"r-{uuid.uuid4().hex[:8]}", f"v-{uuid.uuid4().hex[:6]}", start, stops=2)
    mine = first.stops[0].model_copy(update={"order_id": order_id})
    await publish(
        producer,
        first.model_copy(update={"stops": (mine, first.stops[1])}),
        tenant=tenant,
        key=first.depot_id,
    )

    async def status() -> str:
        response = await app.client.get(f"/track/{token}.json")
        assert response.status_code == 200, response.text
        return str(response.json()["status"])

    await eventually(lambda: _is(status, "scheduled"), what="the planned order's view")
    # Version 2 of the route no longer carries the order (the re-plan moved it away).
    without = planned_route(first.route_id, first.vehicle_id, start, stops=2, version=2)
    await publish(
        producer,
        without.model_copy(update={"stops": (without.stops[1],)}),
        tenant=tenant,
        key=first.depot_id,
    )
    await eventually(lambda: _is(status, "received"), what="the order off its route")
    other = planned_route(f"r-{uuid.uuid4().hex[:8]}", f"v-{uuid.uuid4().hex[:6]}", start, stops=1)
    moved = other.stops[0].model_copy(update={"order_id": order_id})
    await publish(
        producer, other.model_copy(update={"stops": (moved,)}), tenant=tenant, key=other.depot_id
    )
    await eventually(lambda: _is(status, "scheduled"), what="the order on its new route")


async def _is(status, wanted: str) -> bool:  # type: ignore[no-untyped-def]
    return await status() == wanted
