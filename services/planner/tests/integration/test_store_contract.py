"""The PlannerStore contract on the PostgreSQL store (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from lastmile_common.db.migrations import migrate
from lastmile_common.db.pool import create_pool
from planner.adapters.store import PostgresPlannerStore

from lastmile.infra.platform import Infrastructure

from ..store_contract import PlannerStoreContract


class TestPostgresPlannerStore(PlannerStoreContract):
    @pytest.fixture
    async def store(self, infra: Infrastructure) -> AsyncIterator[PostgresPlannerStore]:
        plain = await asyncpg.connect(infra.database_url)
        try:
            await migrate(plain, "planner", "planner.migrations")
        finally:
            await plain.close()
        pool = await create_pool(infra.database_url, "planner")  # the service's own codecs
        try:
            async with pool.acquire() as conn:
                transaction = conn.transaction()
                await transaction.start()
                yield PostgresPlannerStore(conn)
                await transaction.rollback()
        finally:
            await pool.close()
