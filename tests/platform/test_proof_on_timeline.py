"""A delivery's proof on the order's timeline: tracking stores the photo and signature, orders
shows the delivery with a link to each, and the link serves the bytes to the tenant's API key
only (another tenant: 404)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.geocoding.settings import GeocodingSettings
from lastmile_common.routing import RoutingSettings
from orders.bootstrap import create_app as orders_app
from orders.entrypoints.schemas import ORDER_EXAMPLE
from orders.settings import OrdersSettings
from tracking.bootstrap import create_app as tracking_app
from tracking.settings import TrackingSettings
from tracking.simulation import planned_route

from lastmile.demo.tenant import create_tenant
from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp, running_app
from lastmile.testing.fixtures import publish
from lastmile.testing.roads import TEST_CACHE
from lastmile.testing.waiting import eventually

pytestmark = pytest.mark.integration
SIGNATURE = b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 9 L9 1" stroke="#000"/></svg>'


async def _order(orders: RunningApp, auth: dict[str, str]) -> str:
    body = {**ORDER_EXAMPLE, "external_id": f"E-{uuid.uuid4().hex[:8]}"}
    made = await orders.client.post("/v1/orders", json=body, headers=auth)
    assert made.status_code == 201, made.text
    return str(made.json()["order_id"])


async def _committed(infra: Infrastructure, route_id: str) -> bool:
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "tracking"})
    try:
        return bool(
            await conn.fetchval("SELECT count(*) FROM routes WHERE route_id = $1", route_id)
        )
    finally:
        await conn.close()


# size: one scene across two services: upload, deliver, read the order, follow its links
async def test_the_timeline_links_the_delivery_proofs_for_the_tenant_only(
    infra: Infrastructure, producer: AIOKafkaProducer, tmp_path: Path
) -> None:
    tracking_settings = TrackingSettings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        outbox_poll_interval_s=0.05,
        proof_dir=str(tmp_path / "proofs"),
    )
    tracking_run = running_app(
        tracking_app(tracking_settings, RoutingSettings(cache_dir=TEST_CACHE)), serve=True
    )
    async with tracking_run as tracking:
        orders_settings = OrdersSettings(
            database_url=infra.database_url,
            kafka_bootstrap_servers=infra.kafka_bootstrap,
            geocoding=GeocodingSettings(enabled=False),
            proof_base_url=f"{tracking.url}/v1/proofs/",
        )
        async with running_app(orders_app(orders_settings), base_url="http://orders") as orders:
            tenant, key = await create_tenant(infra.database_url, "shop")
            _, other_key = await create_tenant(infra.database_url, "another-shop")
            auth, other = ({"Authorization": f"Bearer {k}"} for k in (key, other_key))
            order_id = await _order(orders, auth)
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
            route = planned_route(f"r-{uuid.uuid4().hex[:8]}", "van-1", start, stops=1)
            stop = route.stops[0].model_copy(update={"order_id": order_id})
            route = route.model_copy(update={"stops": (stop,)})
            await publish(producer, route, tenant=tenant, key=route.depot_id)
            # Uploads read the committed route (any replica answers the same), which the route
            # consumer's transaction writes after its handler has put it in memory.
            await eventually(lambda: _committed(infra, route.route_id), what="the route committed")

            photo = b"\xff\xd8\xff\xe0" + uuid.uuid4().bytes
            refs = {}
            for kind, content, content_type in (
                ("photo", photo, "image/jpeg"),
                ("signature", SIGNATURE, "image/svg+xml"),
            ):
                path = f"/v1/proofs/{route.route_id}/{stop.stop_id}/{kind}"
                headers = {**auth, "Content-Type": content_type}
                uploaded = await tracking.client.post(path, content=content, headers=headers)
                assert uploaded.status_code == 201, uploaded.text
                refs[f"{kind}_ref"] = uploaded.json()["ref"]
            done = await tracking.client.post(
                f"/v1/routes/{route.route_id}/stops/{stop.stop_id}:complete",
                json={"outcome": "delivered", "proof": {**refs, "recipient_name": "Ada"}},
                headers=auth,
            )
            assert done.status_code == 200, done.text

            async def delivered() -> dict[str, Any] | None:
                read = (await orders.client.get(f"/v1/orders/{order_id}", headers=auth)).json()
                entries = [e for e in read["timeline"] if e["kind"] == "order.delivered"]
                return entries[0] if entries else None

            entry = await eventually(
                delivered, timeout=30.0, what="order.delivered on the timeline"
            )
            assert entry is not None
            proofs = entry["proofs"]
            assert [p["kind"] for p in proofs] == ["photo", "signature"]
            async with httpx.AsyncClient(timeout=5.0) as client:
                served = [await client.get(p["url"], headers=auth) for p in proofs]
                assert [(r.status_code, r.content) for r in served] == [
                    (200, photo),
                    (200, SIGNATURE),
                ]
                for p in proofs:
                    assert (await client.get(p["url"], headers=other)).status_code == 404
                    assert (await client.get(p["url"])).status_code == 401
