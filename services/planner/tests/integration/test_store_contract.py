"""The PlannerStore contract on the PostgreSQL store (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from planner.adapters.store import PostgresPlannerStore

from lastmile.infra.platform import Infrastructure
from lastmile.testing.db import rolled_back

from ..store_contract import PlannerStoreContract


class TestPostgresPlannerStore(PlannerStoreContract):
    @pytest.fixture
    async def store(self, infra: Infrastructure) -> AsyncIterator[PostgresPlannerStore]:
        async with rolled_back(infra.database_url, "planner", "planner.migrations") as conn:
            yield PostgresPlannerStore(conn)
