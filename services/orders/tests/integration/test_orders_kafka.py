"""Kafka intake, redelivery, timeline, and the Shopify webhook (dead letters: the runner's own
tests in libs/common)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.deliveries import OrderDelivered, Proof
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.orders import OrderSubmitted
from lastmile_common.events.topics import ORDERS, ORDERS_INBOUND, dlt_of

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.inbox import Inbox, drain
from lastmile.testing.waiting import eventually

from .conftest import new_tenant
from .test_orders_api import OFF_MAP, order_body

pytestmark = pytest.mark.integration


async def _count(infra: Infrastructure, sql: str, *args: object) -> int:
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "orders"})
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def test_an_order_outside_the_map_goes_to_the_dlt_with_the_reason(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, _ = await new_tenant(infra)
    key = f"{tenant}:same-partition"
    async with (
        TopicReader(infra.kafka_bootstrap, dlt_of(ORDERS_INBOUND)) as dlt,
        TopicReader(infra.kafka_bootstrap, ORDERS) as orders,
    ):
        address = {**order_body()["address"], "location": OFF_MAP}
        off_map = OrderSubmitted.model_validate(order_body(address=address))
        await publish(producer, off_map, tenant=tenant, key=key)
        good = OrderSubmitted.model_validate(order_body())
        await publish(producer, good, tenant=tenant, key=key)
        [dead] = await dlt.raw(lambda r: dict(r.headers).get("ce_tenant") == tenant.encode())
        created = await orders.wait_for(
            lambda e: e.tenant == tenant and e.data.external_id == good.external_id
        )
    assert len(created) == 1
    reason = dict(dead.headers)["dlt.error"].decode()  # type: ignore[attr-defined]
    assert "address.location: outside the map's bounds" in reason


async def _send_three_times(producer: AIOKafkaProducer, envelope: Envelope, key: str) -> None:
    record = encode(envelope, key)
    for _ in range(3):  # the same event id three times, as a redelivery would
        await producer.send_and_wait(
            envelope.topic, value=record.value, key=record.key, headers=record.headers
        )


async def test_redelivered_inbound_event_has_one_effect(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    """The inbox, not the data, makes a redelivery a no-op: an order's external id would
    dedupe a repeated order.submitted anyway, but nothing dedupes a timeline entry except the
    consumer's inbox claim."""
    tenant, auth = await new_tenant(infra)
    data = OrderSubmitted.model_validate(order_body())
    submitted = Envelope.wrap(data, source="/erp", tenant=tenant)
    inbound_key = f"{tenant}:{data.external_id}"
    await _send_three_times(producer, submitted, inbound_key)
    marker = OrderSubmitted.model_validate(order_body())  # another order on the same key
    await drain(producer, _inbox(infra, "orders-inbound"), marker, key=inbound_key, tenant=tenant)
    one = "SELECT count(*) FROM orders WHERE tenant_id = $1 AND external_id = $2"
    assert await _count(infra, one, tenant, data.external_id) == 1
    assert await _count(infra, "SELECT count(*) FROM inbox WHERE event_id = $1", submitted.id) == 1

    order_id = await _count_id(infra, tenant, data.external_id)
    delivered = Envelope.wrap(_delivered(order_id), source="/tracking", tenant=tenant)
    await _send_three_times(producer, delivered, order_id)
    unknown = _delivered(f"marker-{uuid.uuid4().hex}")  # an order nobody has: no effect
    await drain(producer, _inbox(infra, "orders-timeline"), unknown, key=order_id, tenant=tenant)
    body = (await app.client.get(f"/v1/orders/{order_id}", headers=auth)).json()
    assert [e["kind"] for e in body["timeline"]] == ["order.created", "order.delivered"]


def _inbox(infra: Infrastructure, consumer: str) -> Inbox:
    return Inbox(infra.database_url, "orders", consumer)


async def _count_id(infra: Infrastructure, tenant: str, external_id: str) -> str:
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "orders"})
    try:
        return str(
            await conn.fetchval(
                "SELECT id FROM orders WHERE tenant_id = $1 AND external_id = $2",
                tenant,
                external_id,
            )
        )
    finally:
        await conn.close()


def _delivered(order_id: str) -> OrderDelivered:
    return OrderDelivered(
        order_id=order_id,
        route_id="r1",
        stop_id="s1",
        delivered_at="2026-11-24T10:00:00Z",  # type: ignore[arg-type]
        proof=Proof(recipient_name="Ada"),
    )


async def test_delivery_events_land_on_the_timeline(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = await new_tenant(infra)
    order_id = (await app.client.post("/v1/orders", json=order_body(), headers=auth)).json()[
        "order_id"
    ]
    delivered = OrderDelivered(
        order_id=order_id,
        route_id="r1",
        stop_id="s1",
        delivered_at="2026-11-24T10:00:00Z",  # type: ignore[arg-type]
        proof=Proof(recipient_name="Ada"),
    )
    await publish(producer, delivered, tenant=tenant, key=order_id)

    async def delivered_status() -> bool:
        body = (await app.client.get(f"/v1/orders/{order_id}", headers=auth)).json()
        return bool(body["status"] == "delivered")

    await eventually(delivered_status)
    body = (await app.client.get(f"/v1/orders/{order_id}", headers=auth)).json()
    assert [e["kind"] for e in body["timeline"]] == ["order.created", "order.delivered"]


def _sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def test_shopify_webhook_hmac_and_dedupe(infra: Infrastructure, app: RunningApp) -> None:
    tenant, auth = await new_tenant(infra)
    secret = "shpss_" + uuid.uuid4().hex
    configured = await app.client.put(
        "/v1/integrations/shopify",
        headers=auth,
        json={
            "shop_domain": "acme.myshopify.com",
            "webhook_secret": secret,
            "depot_id": "d1",
            "time_zone": "Europe/Vaduz",
        },
    )
    assert configured.status_code == 204
    payload = {
        "id": 5551,
        "email": "ada@example.com",
        "created_at": "2026-11-23T10:00:00+01:00",
        "shipping_address": {
            "name": "Ada",
            "address1": "Kirchstrasse 1",
            "city": "Vaduz",
            "country_code": "LI",
            "latitude": 47.1367,
            "longitude": 9.5188,
            "phone": "+4915112345678",
        },
        "line_items": [{"sku": "S", "title": "Book", "quantity": 1, "grams": 500}],
    }
    body = json.dumps(payload).encode()
    url = f"/v1/webhooks/shopify/{tenant}/orders-create"
    bad = await app.client.post(
        url,
        content=body,
        headers={"X-Shopify-Hmac-Sha256": _sign("wrong", body), "X-Shopify-Webhook-Id": "w1"},
    )
    assert bad.status_code == 401
    headers = {
        "X-Shopify-Hmac-Sha256": _sign(secret, body),
        "X-Shopify-Webhook-Id": "w1",
        "content-type": "application/json",
    }
    first = await app.client.post(url, content=body, headers=headers)
    again = await app.client.post(url, content=body, headers=headers)
    assert first.status_code == 200 and again.status_code == 200
    assert first.json()["order_id"] == again.json()["order_id"] and again.json()["duplicate"]
    order = (await app.client.get(f"/v1/orders/{first.json()['order_id']}", headers=auth)).json()
    assert order["order"]["external_id"] == "shopify-5551"
    assert order["order"]["items"][0]["weight_kg"] == 0.5
    address = {**payload["shipping_address"], "latitude": 52.5}  # type: ignore[dict-item]
    body = json.dumps({**payload, "id": 5552, "shipping_address": address}).encode()
    headers = {
        **headers,
        "X-Shopify-Hmac-Sha256": _sign(secret, body),
        "X-Shopify-Webhook-Id": "w2",
    }
    refused = await app.client.post(url, content=body, headers=headers)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["body.shipping_address"]


async def test_bulk_import_accepts_good_rows_and_reports_bad_ones(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    good = order_body()
    lines = [
        json.dumps(good),
        "{broken",
        json.dumps({**order_body(), "windows": []}),
        json.dumps(order_body()),
        json.dumps(order_body(address={**good["address"], "location": OFF_MAP})),
    ]
    response = await app.client.post(
        "/v1/orders/import",
        content="\n".join(lines).encode(),
        headers={**auth, "content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["accepted"] == 2
    assert [(r["line"], r["field"]) for r in result["rejected"]] == [
        (2, "row"),
        (3, "windows"),
        (5, "address.location"),
    ]
    header = (
        "external_id,depot_id,recipient_name,phone,line1,city,country,lat,lon,"
        "window_start,window_end,weight_kg\n"
    )
    csv_body = header + (
        "C-1,d1,Ada,+4915112345678,Kirchstrasse 1,Vaduz,LI,47.1367,9.5188,2026-11-24T09:00:00Z,"
        "2026-11-24T12:00:00Z,2\n"
        "C-2,d1,Bob,+4915112345679,Kirchstrasse 2,Vaduz,LI,47.1367,200,2026-11-24T09:00:00Z,"
        "2026-11-24T12:00:00Z,2\n"
        "C-3,d1,Cy,+4915112345670,Torstr 3,Berlin,DE,52.5,13.4,2026-11-24T09:00:00Z,"
        "2026-11-24T12:00:00Z,2\n"
    )
    response = await app.client.post(
        "/v1/orders/import", content=csv_body.encode(), headers={**auth, "content-type": "text/csv"}
    )
    result = response.json()
    assert result["accepted"] == 1
    assert [(r["line"], r["field"]) for r in result["rejected"]] == [(3, "lon"), (4, "lat,lon")]
    assert "outside the map's bounds" in result["rejected"][1]["message"]
