"""HTTP → database → outbox → Kafka, idempotency, tenant isolation and client errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lastmile_common.events.topics import ORDERS

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader

from .conftest import new_tenant

pytestmark = pytest.mark.integration


def order_body(**changes: Any) -> dict[str, Any]:
    body = {
        "external_id": f"E-{uuid.uuid4().hex[:8]}",
        "depot_id": "schaan-hub",
        "recipient": {"name": "Ada", "phone": "+4915112345678", "email": "ada@example.com"},
        "address": {
            "line1": "Kirchstrasse 1",
            "city": "Vaduz",
            "country": "LI",
            "location": {"lat": 47.1367, "lon": 9.5188},
        },
        "windows": [{"start": "2026-11-24T09:00:00+01:00", "end": "2026-11-24T12:00:00+01:00"}],
        "items": [{"sku": "A", "quantity": 2, "weight_kg": 1.25}],
    }
    body.update(changes)
    return body


async def test_created_order_is_published_with_cloudevents_headers(
    infra: Infrastructure, app: RunningApp
) -> None:
    tenant, auth = await new_tenant(infra)
    async with TopicReader(infra.kafka_bootstrap, ORDERS) as reader:
        response = await app.client.post("/v1/orders", json=order_body(), headers=auth)
        assert response.status_code == 201, response.text
        order_id = response.json()["order_id"]
        [event] = await reader.wait_for(lambda e: e.subject == order_id)
        record = next(r for env, r in reader.records if env is not None and env.id == event.id)
    headers = dict(record.headers)  # type: ignore[attr-defined]
    assert event.type == "order.created" and event.tenant == tenant
    assert headers["ce_specversion"] == b"1.0" and headers["ce_source"] == b"/lastmile/orders"
    assert headers["content-type"] == b"application/json"
    assert record.key == b"schaan-hub"  # type: ignore[attr-defined]
    assert event.data.total_weight_kg == 2.5  # type: ignore[attr-defined]
    got = await app.client.get(f"/v1/orders/{order_id}", headers=auth)
    assert got.status_code == 200
    assert [entry["kind"] for entry in got.json()["timeline"]] == ["order.created"]


async def test_idempotency_key(infra: Infrastructure, app: RunningApp) -> None:
    _, auth = await new_tenant(infra)
    body = order_body()
    headers = {**auth, "Idempotency-Key": "same-key"}
    first = await app.client.post("/v1/orders", json=body, headers=headers)
    second = await app.client.post("/v1/orders", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["order_id"] == second.json()["order_id"]
    other = await app.client.post("/v1/orders", json={**body, "notes": "x"}, headers=headers)
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_tenant_isolation(infra: Infrastructure, app: RunningApp) -> None:
    _, auth_a = await new_tenant(infra, "a")
    _, auth_b = await new_tenant(infra, "b")
    created = await app.client.post("/v1/orders", json=order_body(), headers=auth_a)
    order_id = created.json()["order_id"]
    assert (await app.client.get(f"/v1/orders/{order_id}", headers=auth_b)).status_code == 404
    listed = await app.client.get("/v1/orders", headers=auth_b)
    assert listed.json()["items"] == []
    cancel = await app.client.post(f"/v1/orders/{order_id}/cancel", headers=auth_b, json={})
    assert cancel.status_code == 404


async def test_client_errors_are_problem_details(infra: Infrastructure, app: RunningApp) -> None:
    _, auth = await new_tenant(infra)
    bad_phone = order_body(recipient={"name": "A", "phone": "12"})
    response = await app.client.post("/v1/orders", json=bad_phone, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "body.recipient.phone"
    malformed = await app.client.post(
        "/v1/orders", content=b"{oops", headers={**auth, "content-type": "application/json"}
    )
    assert malformed.status_code in (400, 422)
    assert (await app.client.get("/v1/orders")).status_code == 401
    bad_key = {"Authorization": "Bearer lm_x_y_z"}
    assert (await app.client.get("/v1/orders", headers=bad_key)).status_code == 401
    huge = await app.client.post(
        "/v1/orders", content=b"x" * 2_000_000, headers={**auth, "content-type": "application/json"}
    )
    assert huge.status_code == 413
    cursor = await app.client.get("/v1/orders?cursor=%%%", headers=auth)
    assert cursor.status_code == 400


async def test_list_filters_and_cursor(infra: Infrastructure, app: RunningApp) -> None:
    _, auth = await new_tenant(infra)
    ids = []
    for _ in range(5):
        response = await app.client.post("/v1/orders", json=order_body(), headers=auth)
        ids.append(response.json()["order_id"])
    await app.client.post(f"/v1/orders/{ids[0]}/cancel", json={"reason": "x"}, headers=auth)
    page1 = (await app.client.get("/v1/orders?limit=2", headers=auth)).json()
    page2 = (
        await app.client.get(f"/v1/orders?limit=2&cursor={page1['next_cursor']}", headers=auth)
    ).json()
    assert [o["order_id"] for o in page1["items"] + page2["items"]] == ids[:4]
    cancelled = (await app.client.get("/v1/orders?status=cancelled", headers=auth)).json()
    assert [o["order_id"] for o in cancelled["items"]] == [ids[0]]


async def test_change_window_publishes_update(infra: Infrastructure, app: RunningApp) -> None:
    _, auth = await new_tenant(infra)
    order_id = (await app.client.post("/v1/orders", json=order_body(), headers=auth)).json()[
        "order_id"
    ]
    async with TopicReader(infra.kafka_bootstrap, ORDERS) as reader:
        response = await app.client.put(
            f"/v1/orders/{order_id}/windows",
            headers=auth,
            json={"windows": [{"start": "2026-11-24T14:00:00Z", "end": "2026-11-24T16:00:00Z"}]},
        )
        assert response.status_code == 200, response.text
        [event] = await reader.wait_for(
            lambda e: e.subject == order_id and e.type == "order.updated"
        )
    assert event.data.version == 2  # type: ignore[attr-defined]


# Berlin: a valid WGS84 point, but not on the map the platform plans on (Liechtenstein).
OFF_MAP = {"lat": 52.5291, "lon": 13.401}


async def test_an_order_outside_the_map_is_refused_with_422_naming_the_field(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    address = {**order_body()["address"], "location": OFF_MAP}
    response = await app.client.post("/v1/orders", json=order_body(address=address), headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == "body.address.location"
    assert "outside the map's bounds" in error["message"]
