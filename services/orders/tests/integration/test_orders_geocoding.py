"""Orders without coordinates on every intake path: placed on the shipped extract, or refused
naming `address` (HTTP, CSV row, Shopify) or dead-lettered with the reason (Kafka)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.orders import OrderSubmitted
from lastmile_common.events.topics import ORDERS, ORDERS_INBOUND, dlt_of
from lastmile_common.kafka.dead_letter import ERROR_HEADER

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant
from .test_orders_api import order_body

pytestmark = pytest.mark.integration

STADTLE = {"line1": "Staedtle 43", "city": "VADUZ", "postal_code": "9490", "country": "LI"}
NOWHERE = {"line1": "Nirgendwostrasse 7", "city": "Vaduz", "postal_code": "9490", "country": "LI"}


def _body(address: dict[str, Any]) -> dict[str, Any]:
    return order_body(depot_id="vaduz", address=address)


async def test_an_address_without_coordinates_is_geocoded_and_published(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    async with TopicReader(infra.kafka_bootstrap, ORDERS) as reader:
        response = await app.client.post("/v1/orders", json=_body(STADTLE), headers=auth)
        assert response.status_code == 201, response.text
        order_id = response.json()["order_id"]
        [event] = await reader.wait_for(lambda e: e.subject == order_id)
    address = response.json()["order"]["address"]
    assert address["location_precision"] == "house"
    assert abs(address["location"]["lat"] - 47.138) < 0.01  # Vaduz, not a guess elsewhere
    assert event.data.address.location_precision == "house"  # type: ignore[attr-defined]
    got = (await app.client.get(f"/v1/orders/{order_id}", headers=auth)).json()
    created = got["timeline"][0]["detail"]
    assert created["geocoded"] == {"precision": "house", "matched": "Städtle 43, 9490 Vaduz"}


async def test_given_coordinates_are_kept_and_marked_given(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    response = await app.client.post("/v1/orders", json=order_body(), headers=auth)
    assert response.json()["order"]["address"]["location_precision"] == "given"
    assert response.json()["order"]["address"]["location"] == {"lat": 47.1367, "lon": 9.5188}


async def test_an_address_not_on_the_map_is_422_naming_address(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    response = await app.client.post("/v1/orders", json=_body(NOWHERE), headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["body.address"]
    listed = (await app.client.get("/v1/orders", headers=auth)).json()
    assert listed["items"] == []  # no order at a guessed point


async def test_csv_rows_without_coordinates_are_geocoded_or_rejected(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    header = "external_id,depot_id,recipient_name,phone,line1,city,postal_code,country,lat,lon,"
    header += "window_start,window_end,weight_kg"
    windows = "2026-11-24T09:00:00+01:00;2026-11-24T14:00:00+01:00,"
    windows += "2026-11-24T11:00:00+01:00;2026-11-24T17:00:00+01:00"
    rows = [
        header,
        f"C-1,vaduz,Ada,+423660234567,Landstr. 19,Schaan,,LI,,,{windows},1",
        f"C-2,vaduz,Bo,+423660234567,Nirgendwostrasse 7,Vaduz,9490,LI,,,{windows},1",
    ]
    response = await app.client.post(
        "/v1/orders/import",
        content="\n".join(rows).encode(),
        headers={**auth, "content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["accepted"] == 1
    assert [(r["line"], r["field"]) for r in result["rejected"]] == [(3, "address")]
    order = (await app.client.get(f"/v1/orders/{result['order_ids'][0]}", headers=auth)).json()
    assert order["order"]["address"]["location_precision"] == "house"
    assert len(order["order"]["windows"]) == 2


def _sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def test_shopify_orders_without_coordinates(infra: Infrastructure, app: RunningApp) -> None:
    tenant, auth = await new_tenant(infra)
    secret = "shpss_" + uuid.uuid4().hex
    integration = {"shop_domain": "li.myshopify.com", "webhook_secret": secret, "depot_id": "vaduz"}
    await app.client.put("/v1/integrations/shopify", headers=auth, json=integration)
    url = f"/v1/webhooks/shopify/{tenant}/orders-create"
    answers = []
    for number, street in ((1, "Josef-Murr-Weg 4"), (2, "Nirgendwostrasse 7")):
        payload = {
            "id": number,
            "email": "ada@example.com",
            "shipping_address": {
                "name": "Ada",
                "address1": street,
                "city": "Mauren",
                "zip": "9493",
                "country_code": "LI",
            },
            "line_items": [{"sku": "S", "quantity": 1, "grams": 500}],
        }
        body = json.dumps(payload).encode()
        headers = {"X-Shopify-Hmac-Sha256": _sign(secret, body), "X-Shopify-Webhook-Id": street}
        answers.append(await app.client.post(url, content=body, headers=headers))
    assert answers[0].status_code == 200, answers[0].text
    order = await app.client.get(f"/v1/orders/{answers[0].json()['order_id']}", headers=auth)
    assert order.json()["order"]["address"]["location_precision"] == "house"
    assert answers[1].status_code == 422
    assert answers[1].json()["errors"][0]["field"] == "body.address"


async def test_a_submitted_order_not_on_the_map_is_dead_lettered_with_the_reason(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = await new_tenant(infra)
    placed = OrderSubmitted.model_validate(_body(STADTLE))
    lost = OrderSubmitted.model_validate(_body(NOWHERE))
    async with TopicReader(infra.kafka_bootstrap, dlt_of(ORDERS_INBOUND)) as dlt:
        for data in (lost, placed):
            await publish(producer, data, tenant=tenant, key=f"{tenant}:{data.external_id}")

        async def placed_order() -> bool:
            listed = (await app.client.get("/v1/orders", headers=auth)).json()
            return any(o["order"]["external_id"] == placed.external_id for o in listed["items"])

        await eventually(placed_order, what="the placeable order accepted")
        mine = lambda r: dict(r.headers).get("ce_tenant") == tenant.encode()  # noqa: E731
        [dead] = await dlt.raw(mine)
    reason = dict(dead.headers)[ERROR_HEADER].decode()  # type: ignore[attr-defined]
    assert "address" in reason and "Nirgendwostrasse" in reason
    listed = (await app.client.get("/v1/orders", headers=auth)).json()
    assert [o["order"]["external_id"] for o in listed["items"]] == [placed.external_id]
