"""The UnitOfWork contract on the PostgreSQL unit of work (each test in a transaction rolled back)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from planner.adapters.unit_of_work import PostgresUnitOfWork

from lastmile.infra.platform import Infrastructure
from lastmile.testing.db import rolled_back

from ..uow_contract import UnitOfWorkContract


class TestPostgresUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    async def uow(self, infra: Infrastructure) -> AsyncIterator[PostgresUnitOfWork]:
        async with rolled_back(infra.database_url, "planner", "planner.migrations") as conn:
            yield PostgresUnitOfWork(conn)
