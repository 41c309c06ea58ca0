"""The OrdersStore contract on the PostgreSQL store (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from lastmile_common.db.migrations import migrate
from lastmile_common.db.pool import create_pool
from orders.adapters.store import PostgresOrdersStore
from orders.adapters.tenants import create_tenant

from lastmile.infra.platform import Infrastructure

from ..store_contract import OrdersStoreContract
from .conftest import SECRET


class TestPostgresOrdersStore(OrdersStoreContract):
    @pytest.fixture
    async def conn(self, infra: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
        plain = await asyncpg.connect(infra.database_url)
        try:
            await migrate(plain, "orders", "orders.migrations")
        finally:
            await plain.close()
        pool = await create_pool(infra.database_url, "orders")  # the service's own codecs
        try:
            async with pool.acquire() as conn:
                transaction = conn.transaction()
                await transaction.start()
                yield conn
                await transaction.rollback()
        finally:
            await pool.close()

    @pytest.fixture
    async def tenants(self, conn: asyncpg.Connection) -> tuple[str, str]:
        mine, _ = await create_tenant(conn, "contract-a", SECRET)
        other, _ = await create_tenant(conn, "contract-b", SECRET)
        return (mine, other)

    @pytest.fixture
    def store(self, conn: asyncpg.Connection) -> PostgresOrdersStore:
        return PostgresOrdersStore(conn)
