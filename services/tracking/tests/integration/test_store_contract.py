"""The Store contract on PostgreSQL (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from lastmile_common.db.migrations import migrate
from lastmile_common.db.pool import create_pool
from tracking.adapters.store import PgStore

from lastmile.infra.platform import Infrastructure

from ..store_contract import StoreContract


class TestPgStore(StoreContract):
    @pytest.fixture
    def store(self) -> PgStore:
        return PgStore()

    @pytest.fixture
    async def conn(self, infra: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
        plain = await asyncpg.connect(infra.database_url)
        try:
            await migrate(plain, "tracking", "tracking.migrations")
        finally:
            await plain.close()
        pool = await create_pool(infra.database_url, "tracking")  # the service's own codecs
        try:
            async with pool.acquire() as conn:
                transaction = conn.transaction()
                await transaction.start()
                yield conn
                await transaction.rollback()
        finally:
            await pool.close()
