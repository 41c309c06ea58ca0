"""While the database is unreachable the orders API answers 503 problem+json with Retry-After
(never 500) and /readyz says 503; once it is back, both recover without a restart."""

from __future__ import annotations

import json

import httpx
import pytest
from orders.bootstrap import create_app

from lastmile.infra.platform import Infrastructure
from lastmile.testing.outage import assert_unavailable_then_back, through_outage

from .conftest import new_tenant, orders_settings
from .test_orders_api import order_body

pytestmark = pytest.mark.integration


async def test_a_database_outage_is_503_with_retry_after_and_readyz_follows(
    infra: Infrastructure,
) -> None:
    _, auth = await new_tenant(infra)
    report = await through_outage(
        lambda url: create_app(orders_settings(infra, database_url=url)),
        infra.database_url,
        [
            ("POST", "/v1/orders", {"headers": auth, "json": order_body()}),
            ("GET", "/v1/orders", {"headers": auth}),
            ("GET", "/v1/orders/o-1", {"headers": auth}),
        ],
    )
    print(json.dumps({"ready_after_s": round(report.ready_after_s, 2)}))
    assert_unavailable_then_back(report)
    assert all("database" in r.json()["detail"] for r in report.during)
    created: httpx.Response = report.after[0]
    assert created.status_code == 201, created.text
