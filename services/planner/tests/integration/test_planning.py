"""orders.v1 in, plans and routes.v1 out: plan now, preview, impossible orders, empty depots."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.topics import ROUTES

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import DAY, depot_body, new_tenant, order_created, van_body

pytestmark = pytest.mark.integration


async def _pending_count(client: httpx.AsyncClient, headers: dict[str, str], depot: str) -> int:
    resp = await client.get(
        f"/v1/depots/{depot}/unassigned", params={"service_date": DAY.isoformat()}, headers=headers
    )
    assert resp.status_code == 200, resp.text
    return len(resp.json()["not_planned_yet"])


# size: one depot's day from orders to plan, in order
async def test_orders_in_plan_out_with_reasons_and_a_silent_preview(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, headers = new_tenant()
    depot = f"dep-{tenant}"
    # The orders arrive before their depot exists: they are kept and planned once it does.
    normal = [order_created(depot, dlat=0.01 * i, dlon=-0.0025 * i) for i in range(1, 5)]
    heavy = order_created(depot, dlat=0.02, weight_kg=1000, quantity=5)
    for event in [*normal, heavy]:
        await publish(producer, event, tenant=tenant, key=depot)
    resp = await app.client.post("/v1/depots", json=depot_body(depot), headers=headers)
    assert resp.status_code == 201, resp.text
    for vid in ("van-a", "van-b"):
        body = van_body(f"{vid}-{tenant}")
        resp = await app.client.post(f"/v1/depots/{depot}/vehicles", json=body, headers=headers)
        assert resp.status_code == 201, resp.text

    async def all_pending() -> bool:
        return await _pending_count(app.client, headers, depot) == 5

    await eventually(all_pending, timeout=30.0)
    async with TopicReader(infra.kafka_bootstrap, ROUTES) as routes:
        request = {"depot_id": depot, "service_date": DAY.isoformat(), "time_limit_s": 1}
        preview = await app.client.post(
            "/v1/plans", json={**request, "preview": True}, headers=headers
        )
        assert preview.status_code == 200, preview.text
        assert preview.json()["preview"] is True
        assert {s["order_id"] for r in preview.json()["routes"] for s in r["stops"]} == {
            o.order_id for o in normal
        }
        # The ids a preview answers with resolve while it is kept (a day by default).
        preview_id = preview.json()["plan_id"]
        assert preview.json()["expires_at"] is not None
        again = await app.client.get(f"/v1/plans/{preview_id}", headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["preview"] is True
        assert again.json()["routes"] == preview.json()["routes"]
        assert again.json()["expires_at"] == preview.json()["expires_at"]
        preview_route = preview.json()["routes"][0]["route_id"]
        route = await app.client.get(f"/v1/routes/{preview_route}", headers=headers)
        assert route.status_code == 200, route.text
        assert route.json()["status"] == "preview"
        _, others = new_tenant()
        assert (await app.client.get(f"/v1/plans/{preview_id}", headers=others)).status_code == 404

        resp = await app.client.post("/v1/plans", json=request, headers=headers)
        assert resp.status_code == 200, resp.text
        plan = resp.json()
        assert plan["unassigned"][0]["order_id"] == heavy.order_id
        assert plan["unassigned"][0]["reason_code"] == "too_heavy"
        assert "5000 kg" in plan["unassigned"][0]["reason"]

        def ours(env: Envelope) -> bool:
            return env.tenant == tenant

        events = await routes.wait_for(ours, count=1 + len(plan["route_ids"]), timeout=20)
        # The preview left no trace on the topic: only this plan's events are there.
        assert {e.data.plan_id for e in events} == {plan["plan_id"]}  # type: ignore[attr-defined]
        completed = [e for e in events if e.type == "plan.completed"]
        planned = [e for e in events if e.type == "route.planned"]
        assert len(completed) == 1 and len(planned) == len(plan["route_ids"]) >= 1
        done = completed[0].data
        assert [u.order_id for u in done.unassigned] == [heavy.order_id]  # type: ignore[attr-defined]
        assert done.unassigned[0].reason_code == "too_heavy"  # type: ignore[attr-defined]
        stops = [s for e in planned for s in e.data.stops]  # type: ignore[attr-defined]
        assert sorted(s.order_id for s in stops) == sorted(o.order_id for o in normal)
        for env in planned:
            route = env.data
            assert route.time_zone == "Europe/Vaduz"  # type: ignore[attr-defined]
            assert env.subject == route.route_id  # type: ignore[attr-defined]
            for stop in route.stops:  # type: ignore[attr-defined]
                window = stop.windows[0]
                begin = stop.planned_departure - timedelta(seconds=stop.service_time_s)
                assert window.start <= begin <= window.end
                assert stop.planned_arrival <= begin
                assert stop.load_label
            assert len(route.load_plan) == len(route.stops)  # type: ignore[attr-defined]
    stored = await app.client.get(f"/v1/plans/{plan['plan_id']}", headers=headers)
    assert stored.status_code == 200
    assert {r["route_id"] for r in stored.json()["routes"]} == set(plan["route_ids"])
    route = await app.client.get(f"/v1/routes/{plan['route_ids'][0]}", headers=headers)
    assert route.json()["status"] == "planned"
    listed = await app.client.get(
        f"/v1/depots/{depot}/unassigned", params={"service_date": DAY.isoformat()}, headers=headers
    )
    assert [u["reason_code"] for u in listed.json()["unassigned"]] == ["too_heavy"]
    _, other_headers = new_tenant()
    hidden = await app.client.get(f"/v1/plans/{plan['plan_id']}", headers=other_headers)
    assert hidden.status_code == 404


async def test_a_depot_without_orders_gets_an_empty_plan(
    infra: Infrastructure, app: RunningApp
) -> None:
    tenant, headers = new_tenant()
    depot = f"empty-{tenant}"
    assert (
        await app.client.post("/v1/depots", json=depot_body(depot), headers=headers)
    ).status_code == 201
    async with TopicReader(infra.kafka_bootstrap, ROUTES) as routes:
        resp = await app.client.post(
            "/v1/plans", json={"depot_id": depot, "service_date": DAY.isoformat()}, headers=headers
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["routes"] == [] and resp.json()["unassigned"] == []
        [event] = await routes.wait_for(lambda e: e.tenant == tenant, timeout=15)
    assert event.type == "plan.completed"
    assert event.data.route_ids == ()  # type: ignore[attr-defined]
