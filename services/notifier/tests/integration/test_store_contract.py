"""The NotifierStore contract on the PostgreSQL store (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from notifier.adapters.store import PostgresStore

from lastmile.infra.platform import Infrastructure
from lastmile.testing.db import rolled_back

from ..log_contract import LogContract
from ..store_contract import OrdersContract


class TestPostgresStore(OrdersContract, LogContract):
    @pytest.fixture
    async def store(self, infra: Infrastructure) -> AsyncIterator[PostgresStore]:
        async with rolled_back(infra.database_url, "notifier", "notifier.migrations") as conn:
            yield PostgresStore(conn)
