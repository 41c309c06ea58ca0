"""Re-planning: a late order and a cancellation after dispatch update the started route."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.deliveries import OrderDelivered, Proof, RouteStarted
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.orders import OrderCancelled
from lastmile_common.events.topics import ROUTES

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import DAY, depot_body, new_tenant, order_created, van_body

pytestmark = pytest.mark.integration


async def _progress(infra: Infrastructure, tenant: str, order_id: str) -> str | None:
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "planner"})
    try:
        value = await conn.fetchval(
            "SELECT progress FROM pending_orders WHERE tenant_id = $1 AND order_id = $2",
            tenant,
            order_id,
        )
        return str(value) if value else None
    finally:
        await conn.close()


# size: one started route's re-plans, in order
async def test_late_order_and_cancellation_update_the_started_route_keeping_served_stops(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, headers = new_tenant()
    depot = f"re-{tenant}"
    assert (
        await app.client.post("/v1/depots", json=depot_body(depot), headers=headers)
    ).status_code == 201
    vehicle = f"van-{tenant}"
    resp = await app.client.post(
        f"/v1/depots/{depot}/vehicles", json=van_body(vehicle), headers=headers
    )
    assert resp.status_code == 201
    first = [order_created(depot, dlat=-0.01 * i, dlon=0.0025 * i) for i in range(1, 4)]
    for event in first:
        await publish(producer, event, tenant=tenant, key=depot)

    async def all_pending() -> bool:
        resp = await app.client.get(
            f"/v1/depots/{depot}/unassigned",
            params={"service_date": DAY.isoformat()},
            headers=headers,
        )
        return len(resp.json()["not_planned_yet"]) == 3

    await eventually(all_pending, timeout=30.0)
    resp = await app.client.post(
        "/v1/plans",
        json={"depot_id": depot, "service_date": DAY.isoformat(), "time_limit_s": 1},
        headers=headers,
    )
    [route_id] = resp.json()["route_ids"]
    stops = resp.json()["routes"][0]["stops"]
    served = stops[0]["order_id"]
    cancelled = stops[-1]["order_id"]

    now = datetime.now(UTC)
    await publish(
        producer,
        RouteStarted(route_id=route_id, depot_id=depot, vehicle_id=vehicle, started_at=now),
        tenant=tenant,
        key=route_id,
    )
    await publish(
        producer,
        OrderDelivered(
            order_id=served,
            route_id=route_id,
            stop_id=stops[0]["stop_id"],
            depot_id=depot,
            delivered_at=now,
            proof=Proof(recipient_name="Ada"),
        ),
        tenant=tenant,
        key=served,
    )

    async def started_and_served() -> bool:
        route = await app.client.get(f"/v1/routes/{route_id}", headers=headers)
        return (
            route.json()["status"] == "started"
            and await _progress(infra, tenant, served) == "delivered"
        )

    await eventually(started_and_served, timeout=30.0)

    def updated(version: int):  # type: ignore[no-untyped-def]
        def match(env: Envelope) -> bool:
            return (
                env.tenant == tenant and env.type == "route.updated" and env.data.version == version  # type: ignore[attr-defined]
            )

        return match

    async with TopicReader(infra.kafka_bootstrap, ROUTES) as routes:
        late = order_created(depot, dlat=-0.01, dlon=0.01)
        await publish(producer, late, tenant=tenant, key=depot)
        [v2] = await routes.wait_for(updated(2), timeout=30)
        data = v2.data
        assert data.route_id == route_id  # type: ignore[attr-defined]
        ids = [s.order_id for s in data.stops]  # type: ignore[attr-defined]
        assert late.order_id in ids
        assert sorted(ids) == sorted([*(o.order_id for o in first), late.order_id])
        assert ids[0] == served and data.stops[0].locked  # type: ignore[attr-defined]
        assert not any(s.locked for s in data.stops[1:])  # type: ignore[attr-defined]

        await publish(
            producer,
            OrderCancelled(
                order_id=cancelled,
                external_id=cancelled,
                depot_id=depot,
                version=2,
                reason="customer",
                cancelled_at=datetime.now(UTC),
            ),
            tenant=tenant,
            key=depot,
        )
        [v3] = await routes.wait_for(updated(3), timeout=30)
        ids3 = [s.order_id for s in v3.data.stops]  # type: ignore[attr-defined]
        assert cancelled not in ids3 and ids3[0] == served and late.order_id in ids3
    stored = await app.client.get(f"/v1/routes/{route_id}", headers=headers)
    assert stored.json()["version"] == 3
