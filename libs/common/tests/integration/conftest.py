"""A fresh schema holding only the plumbing tables (inbox, outbox) and a pool on it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from lastmile_common.db.migrations import migrate
from lastmile_common.db.pool import create_pool

from lastmile.infra.platform import Infrastructure


@pytest.fixture
async def schema(infra: Infrastructure) -> str:
    """A new schema with the plumbing migrations and a `written` table for test handlers."""
    name = f"runner_{uuid.uuid4().hex[:12]}"
    plain = await asyncpg.connect(infra.database_url)
    try:
        # A package without SQL files: only the plumbing migrations apply.
        await migrate(plain, name, "lastmile_common.kafka")
        await plain.execute(f"CREATE TABLE {name}.written (event_id text PRIMARY KEY)")
    finally:
        await plain.close()
    return name


@pytest.fixture
async def pool(infra: Infrastructure, schema: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the fresh schema."""
    created = await create_pool(infra.database_url, schema)
    yield created
    await created.close()
