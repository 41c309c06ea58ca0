"""The one-statement create: concurrent twins, refused repeats and tenants write exactly once."""

from __future__ import annotations

import asyncio
import base64
import json

import asyncpg
import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp

from .conftest import new_tenant
from .test_orders_api import order_body

pytestmark = pytest.mark.integration


async def written(infra: Infrastructure, tenant: str) -> dict[str, int]:
    """Rows a tenant's creates wrote: orders, keys, timeline entries, outbox rows."""
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "orders"})
    try:
        ids = [
            r["id"] for r in await conn.fetch("SELECT id FROM orders WHERE tenant_id = $1", tenant)
        ]
        subjects = [
            json.dumps([["ce_subject", base64.b64encode(i.encode()).decode()]]) for i in ids
        ]
        return {
            "orders": len(ids),
            "keys": await conn.fetchval(
                "SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1", tenant
            ),
            "timeline": await conn.fetchval(
                "SELECT count(*) FROM order_timeline WHERE order_id = ANY($1::text[])", ids
            ),
            "outbox": await conn.fetchval(
                "SELECT count(*) FROM outbox, unnest($1::text[]) s(subject)"
                " WHERE headers @> s.subject::jsonb",
                subjects,
            ),
        }
    finally:
        await conn.close()


async def test_concurrent_twins_with_one_key_create_one_order(
    infra: Infrastructure, app: RunningApp
) -> None:
    tenant, auth = await new_tenant(infra)
    body = order_body()
    headers = {**auth, "Idempotency-Key": "twin"}
    responses = await asyncio.gather(
        *(app.client.post("/v1/orders", json=body, headers=headers) for _ in range(8))
    )
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["order_id"] for r in responses}) == 1
    assert await written(infra, tenant) == {"orders": 1, "keys": 1, "timeline": 1, "outbox": 1}


async def test_refused_repeats_write_nothing(infra: Infrastructure, app: RunningApp) -> None:
    tenant, auth = await new_tenant(infra)
    body = order_body()
    keyed = {**auth, "Idempotency-Key": "k"}
    assert (await app.client.post("/v1/orders", json=body, headers=keyed)).status_code == 201
    other_body = order_body()  # a new external id under a used key
    reused_key = await app.client.post("/v1/orders", json=other_body, headers=keyed)
    assert reused_key.status_code == 409
    changed = await app.client.post("/v1/orders", json={**body, "notes": "x"}, headers=auth)
    assert changed.status_code == 409
    assert changed.json()["errors"][0]["field"] == "body.external_id"
    same = await app.client.post("/v1/orders", json=body, headers=auth)
    assert same.status_code == 200
    assert await written(infra, tenant) == {"orders": 1, "keys": 1, "timeline": 1, "outbox": 1}


async def test_keys_and_external_ids_are_per_tenant(infra: Infrastructure, app: RunningApp) -> None:
    tenant_a, auth_a = await new_tenant(infra, "a")
    tenant_b, auth_b = await new_tenant(infra, "b")
    body = order_body()
    a = await app.client.post("/v1/orders", json=body, headers={**auth_a, "Idempotency-Key": "k"})
    b = await app.client.post("/v1/orders", json=body, headers={**auth_b, "Idempotency-Key": "k"})
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["order_id"] != b.json()["order_id"]
    for tenant in (tenant_a, tenant_b):
        assert await written(infra, tenant) == {"orders": 1, "keys": 1, "timeline": 1, "outbox": 1}
