"""An order the planner leaves out shows the planner's reason on its timeline (plan.completed)."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.routes import PlanCompleted, UnassignedOrder

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant
from .test_orders_api import order_body

pytestmark = pytest.mark.integration


async def test_an_unassigned_orders_timeline_shows_the_planners_reason(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = await new_tenant(infra)
    created = await app.client.post("/v1/orders", json=order_body(), headers=auth)
    order_id = created.json()["order_id"]
    reason = "weighs 900 kg; the largest vehicle carries 500 kg"
    plan = PlanCompleted(
        plan_id=f"plan-{uuid.uuid4().hex[:8]}",
        depot_id="schaan-hub",
        service_date="2026-11-24",
        route_ids=(),
        unassigned=(UnassignedOrder(order_id=order_id, reason_code="too_heavy", reason=reason),),
    )
    await publish(producer, plan, tenant=tenant, key="schaan-hub")

    async def unassigned() -> list[dict[str, object]]:
        body = (await app.client.get(f"/v1/orders/{order_id}", headers=auth)).json()
        return [e for e in body["timeline"] if e["kind"] == "order.unassigned"]

    await eventually(unassigned, what="order.unassigned on the timeline")
    [entry] = await unassigned()
    assert entry["detail"] == {
        "plan_id": plan.plan_id,
        "service_date": "2026-11-24",
        "reason_code": "too_heavy",
        "reason": reason,
    }
    status = (await app.client.get(f"/v1/orders/{order_id}", headers=auth)).json()["status"]
    assert status == "created"
