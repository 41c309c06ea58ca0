"""While the database is unreachable the API answers 503 problem+json with Retry-After (never
500) and /readyz says 503; once it is back, both recover without a restart."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from orders.bootstrap import create_app

from lastmile.infra.platform import Infrastructure
from lastmile.testing.tcp_proxy import TcpProxy

from .conftest import new_tenant, orders_settings
from .test_orders_api import order_body

pytestmark = pytest.mark.integration


async def test_a_database_outage_is_503_with_retry_after_and_readyz_follows(
    infra: Infrastructure,
) -> None:
    _, auth = await new_tenant(infra)
    proxy = TcpProxy.for_url(infra.database_url)
    await proxy.start()
    app = create_app(orders_settings(infra, database_url=proxy.url(infra.database_url)))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://o"
            ) as client,
        ):
            created = await client.post("/v1/orders", json=order_body(), headers=auth)
            assert created.status_code == 201, created.text
            assert (await client.get("/readyz")).status_code == 200
            await proxy.cut()
            during = [
                await client.post("/v1/orders", json=order_body(), headers=auth),
                await client.get(f"/v1/orders/{created.json()['order_id']}", headers=auth),
                await client.get("/v1/orders", headers=auth),
            ]
            ready_during = await client.get("/readyz")
            await proxy.restore()
            after = await _until_ready(client)
            again = await client.post("/v1/orders", json=order_body(), headers=auth)
    finally:
        await proxy.close()
    assert [r.status_code for r in during] == [503, 503, 503], [r.text for r in during]
    for response in during:
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) > 0
        assert "database" in response.json()["detail"]
    assert ready_during.status_code == 503
    assert ready_during.json()["checks"]["database"] is False
    assert after.status_code == 200
    assert again.status_code == 201, again.text


async def _until_ready(client: httpx.AsyncClient, timeout: float = 20.0) -> httpx.Response:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (response := await client.get("/readyz")).status_code != 200:
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.2)
    return response
