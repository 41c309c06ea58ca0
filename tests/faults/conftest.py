"""Fault tests: each on a broker and database of its own, which it may stop, pause or crash."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from lastmile_common.db.migrations import migrate
from lastmile_common.routing import Router
from orders.adapters.tenants import create_tenant

from lastmile.infra.platform import Infrastructure, start_infrastructure

ROOT = Path(__file__).resolve().parents[2]
SECRET = "dev-api-key-secret-change-me"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make integration` runs these: they need the real broker and database."""
    for item in items:
        if "faults" in item.path.parts:
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def own_infra(road_router: Router) -> Iterator[Infrastructure]:
    """An embedded broker and PostgreSQL for this test alone (never the session's shared ones:
    the test stops or pauses them, and its services' consumer groups must be the only ones).

    `road_router` prepares the roads once per session, before a planner process would need them
    (preparing them inside a service start takes minutes)."""
    if os.environ.get("DATABASE_URL") or os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        pytest.skip("fault tests start, stop and pause embedded servers of their own")
    state = ROOT / ".lastmile" / f"faults-{uuid.uuid4().hex[:8]}"
    infra = start_infrastructure(state, fresh_database=True)
    try:
        yield infra
    finally:
        infra.stop()
        shutil.rmtree(state, ignore_errors=True)


async def orders_tenant(database_url: str) -> tuple[str, dict[str, str]]:
    """A tenant of the orders service and the headers that authenticate as it."""
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "orders"})
    try:
        await migrate(conn, "orders", "orders.migrations")
        tenant_id, key = await create_tenant(conn, "faults", SECRET)
    finally:
        await conn.close()
    return tenant_id, {"Authorization": f"Bearer {key}"}


def order_body() -> dict[str, Any]:
    """A valid order with a fresh external id."""
    return {
        "external_id": f"F-{uuid.uuid4().hex[:10]}",
        "depot_id": "vaduz",
        "recipient": {"name": "Ada", "phone": "+4915112345678"},
        "address": {
            "line1": "Kirchstrasse 1",
            "city": "Vaduz",
            "country": "LI",
            "location": {"lat": 47.1367, "lon": 9.5188},  # on the embedded map
        },
        "windows": [{"start": "2030-05-06T09:00:00+02:00", "end": "2030-05-06T12:00:00+02:00"}],
        "items": [{"sku": "A", "quantity": 1, "weight_kg": 1.0}],
    }
