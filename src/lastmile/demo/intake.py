"""Orders in, the way integrators send them: Shopify webhooks, Kafka, bulk CSV import, the API."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import secrets
from collections import Counter
from collections.abc import Iterable
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.orders import OrderSubmitted
from orders.domain.bulk_rows import CSV_COLUMNS

from lastmile.demo.day import DemoOrder
from lastmile.demo.places import DEPOT_ID, TIME_ZONE
from lastmile.demo.platform import check

SHOP = "kiezkiste.myshopify.com"


def shopify_payload(order: DemoOrder, number: int) -> dict[str, Any]:
    """The order as Shopify's `orders/create` webhook body; the window in note attributes."""
    body = order.body
    recipient, address, window = body["recipient"], body["address"], body["windows"][0]
    return {
        "id": 5_100_000_000 + number,
        "email": recipient["email"] if "email" in recipient["channels"] else None,
        "created_at": window["start"],
        "note": body["notes"],
        "note_attributes": [
            {"name": "delivery_window_start", "value": window["start"]},
            {"name": "delivery_window_end", "value": window["end"]},
        ],
        "shipping_address": {
            "name": recipient["name"],
            "address1": address["line1"],
            "city": address["city"],
            "zip": address["postal_code"],
            "country_code": address["country"],
            "phone": recipient["phone"] if "sms" in recipient["channels"] else None,
            "latitude": address["location"]["lat"],
            "longitude": address["location"]["lon"],
        },
        "line_items": [
            {
                "sku": item["sku"],
                "title": item["description"],
                "quantity": item["quantity"],
                "grams": round(item["weight_kg"] * 1000),
            }
            for item in body["items"]
        ],
    }


async def send_shopify(
    orders_api: httpx.AsyncClient, tenant_id: str, orders: Iterable[DemoOrder]
) -> int:
    """Configure the Shopify integration, then post each order as a signed webhook."""
    secret = "shpss_" + secrets.token_hex(16)
    check(
        await orders_api.put(
            "/v1/integrations/shopify",
            json={"shop_domain": SHOP, "webhook_secret": secret, "depot_id": DEPOT_ID,
                  "time_zone": TIME_ZONE},
        )
    )  # fmt: skip
    sent = 0
    for number, order in enumerate(orders):
        raw = json.dumps(shopify_payload(order, number)).encode()
        signature = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest())
        response = await orders_api.post(
            f"/v1/webhooks/shopify/{tenant_id}/orders-create",
            content=raw,
            headers={
                "Content-Type": "application/json",
                "X-Shopify-Hmac-Sha256": signature.decode(),
                "X-Shopify-Webhook-Id": f"wh-{hashlib.sha1(raw).hexdigest()[:16]}",  # noqa: S324
                "X-Shopify-Shop-Domain": SHOP,
                "X-Shopify-Topic": "orders/create",
            },
        )
        check(response)
        sent += 1
    return sent


async def send_kafka(
    producer: AIOKafkaProducer, tenant_id: str, orders: Iterable[DemoOrder]
) -> int:
    """Publish order.submitted on orders.inbound.v1, keyed by tenant + external id."""
    sent = 0
    for order in orders:
        data = OrderSubmitted.model_validate(order.body)
        envelope = Envelope.wrap(
            data, source="demo/wms-connector", tenant=tenant_id, subject=order.external_id
        )
        record = encode(envelope, f"{tenant_id}:{order.external_id}")
        await producer.send(
            envelope.topic, value=record.value, key=record.key, headers=record.headers
        )
        sent += 1
    await producer.flush()
    return sent


# The orders service's own column list, so the demo's CSV never drifts from the importer.
CSV_HEADER = list(CSV_COLUMNS)


def to_csv(orders: Iterable[DemoOrder]) -> str:
    """The orders as the bulk-import CSV (one item per row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for order in orders:
        b = order.body
        r, a, w, i = b["recipient"], b["address"], b["windows"][0], b["items"][0]
        writer.writerow([
            b["external_id"], b["depot_id"], r["name"], r["phone"], r["email"],
            ";".join(r["channels"]), r["locale"], a["line1"], "", a["city"], a["postal_code"],
            a["country"], a["location"]["lat"], a["location"]["lon"], w["start"], w["end"],
            i["sku"], i["description"], i["quantity"], i["weight_kg"], i["volume_m3"],
            b["service_time_s"], ";".join(b["skills"]), b["priority"],
            str(b["drone_eligible"]).lower(),
        ])  # fmt: skip
    return out.getvalue()


async def send_import(orders_api: httpx.AsyncClient, orders: list[DemoOrder]) -> int:
    """Upload the orders as one CSV bulk import; fail loudly if a row was rejected."""
    if not orders:
        return 0
    result = check(
        await orders_api.post(
            "/v1/orders/import",
            content=to_csv(orders).encode(),
            headers={"Content-Type": "text/csv"},
        )
    )
    if result["rejected"]:
        raise RuntimeError(f"bulk import rejected rows: {result['rejected'][:3]}")
    return int(result["accepted"]) + int(result["duplicates"])


async def send_api(orders_api: httpx.AsyncClient, orders: Iterable[DemoOrder]) -> list[str]:
    """POST each order with an Idempotency-Key; returns the order ids."""
    ids = []
    for order in orders:
        created = check(
            await orders_api.post(
                "/v1/orders", json=order.body, headers={"Idempotency-Key": order.external_id}
            )
        )
        ids.append(created["order_id"])
    return ids


async def send_all(
    orders_api: httpx.AsyncClient,
    producer: AIOKafkaProducer | None,
    tenant_id: str,
    orders: list[DemoOrder],
) -> Counter[str]:
    """Every order through its integrator path (Kafka orders go by API if there is no producer)."""
    by_path: dict[str, list[DemoOrder]] = {"shopify": [], "kafka": [], "import": [], "api": []}
    for order in orders:
        by_path[order.intake].append(order)
    if producer is None:
        by_path["api"] += by_path.pop("kafka")
        by_path["kafka"] = []
    counts: Counter[str] = Counter()
    counts["shopify"] = await send_shopify(orders_api, tenant_id, by_path["shopify"])
    counts["kafka"] = await send_kafka(producer, tenant_id, by_path["kafka"]) if producer else 0
    counts["import"] = await send_import(orders_api, by_path["import"])
    counts["api"] = len(await send_api(orders_api, by_path["api"]))
    return counts
