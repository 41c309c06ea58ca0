"""A connection on a service's migrated schema, inside a transaction rolled back afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from lastmile_common.db.migrations import migrate
from lastmile_common.db.pool import Connection, create_pool


@asynccontextmanager
async def rolled_back(database_url: str, schema: str, migrations: str) -> AsyncIterator[Connection]:
    """Migrate `schema`, then yield a pooled connection (the service's own codecs and search
    path) in a transaction that is rolled back: a test leaves nothing behind."""
    plain = await asyncpg.connect(database_url)
    try:
        await migrate(plain, schema, migrations)
    finally:
        await plain.close()
    pool = await create_pool(database_url, schema)
    try:
        async with pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                yield conn
            finally:
                await transaction.rollback()
    finally:
        await pool.close()
