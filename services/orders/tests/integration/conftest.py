"""The orders app running in-process on the real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from lastmile_common.db.migrations import migrate
from orders.adapters.tenants import create_tenant
from orders.bootstrap import create_app
from orders.settings import OrdersSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp, running_app

SECRET = "dev-api-key-secret-change-me"


def orders_settings(infra: Infrastructure, **overrides: Any) -> OrdersSettings:
    """Settings pointing at the test infrastructure."""
    defaults: dict[str, Any] = {
        "database_url": infra.database_url,
        "kafka_bootstrap_servers": infra.kafka_bootstrap,
        "consumer_backoff_initial_s": 0.05,
        "consumer_max_attempts": 3,
    }
    return OrdersSettings(**(defaults | overrides))


# Per module, as in tracking: an app left running for the session stays in its consumer groups
# (taking partitions from later tests' apps) and keeps polling the shared broker.
@pytest.fixture(scope="module")
async def app(infra: Infrastructure) -> AsyncIterator[RunningApp]:
    """The orders app with its consumers and relay running, and a client on it."""
    async with running_app(create_app(orders_settings(infra)), base_url="http://orders") as app:
        yield app


async def new_tenant(infra: Infrastructure, name: str = "acme") -> tuple[str, dict[str, str]]:
    """A fresh tenant and the headers that authenticate as it."""
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "orders"})
    try:
        await migrate(conn, "orders", "orders.migrations")
        tenant_id, key = await create_tenant(conn, name, SECRET)
    finally:
        await conn.close()
    return tenant_id, {"Authorization": f"Bearer {key}"}
