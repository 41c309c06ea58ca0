"""Creating a tenant the way an operator does (`lastmile tenant create`)."""

from __future__ import annotations

import asyncpg
from lastmile_common.db.migrations import migrate
from orders.adapters.tenants import create_tenant as _create
from orders.settings import OrdersSettings


async def create_tenant(database_url: str, name: str) -> tuple[str, str]:
    """Create a tenant in the orders service's schema; returns (tenant id, API key)."""
    secret = OrdersSettings().api_key_secret.get_secret_value()
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "orders"})
    try:
        await migrate(conn, "orders", "orders.migrations")
        return await _create(conn, name, secret)
    finally:
        await conn.close()
