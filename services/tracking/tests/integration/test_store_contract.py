"""The Store contract on PostgreSQL (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from tracking.adapters.store import PgStore

from lastmile.infra.platform import Infrastructure
from lastmile.testing.db import rolled_back

from ..store_contract import StoreContract


class TestPgStore(StoreContract):
    @pytest.fixture
    def store(self) -> PgStore:
        return PgStore()

    @pytest.fixture
    async def conn(self, infra: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
        async with rolled_back(infra.database_url, "tracking", "tracking.migrations") as conn:
            yield conn
