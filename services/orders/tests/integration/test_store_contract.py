"""The OrdersStore contract on the PostgreSQL store (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from orders.adapters.store import PostgresOrdersStore
from orders.adapters.tenants import create_tenant

from lastmile.infra.platform import Infrastructure
from lastmile.testing.db import rolled_back

from ..store_contract import OrdersStoreContract
from .conftest import SECRET


class TestPostgresOrdersStore(OrdersStoreContract):
    @pytest.fixture
    async def conn(self, infra: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
        async with rolled_back(infra.database_url, "orders", "orders.migrations") as conn:
            yield conn

    @pytest.fixture
    async def tenants(self, conn: asyncpg.Connection) -> tuple[str, str]:
        mine, _ = await create_tenant(conn, "contract-a", SECRET)
        other, _ = await create_tenant(conn, "contract-b", SECRET)
        return (mine, other)

    @pytest.fixture
    def store(self, conn: asyncpg.Connection) -> PostgresOrdersStore:
        return PostgresOrdersStore(conn)
