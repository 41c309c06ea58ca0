"""PostgreSQL advisory locks: one holder at a time across every replica of a service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from lastmile_common.db.pool import ACQUIRE_TIMEOUT_S

_GONE = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)


@contextlib.asynccontextmanager
async def advisory_lock(pool: asyncpg.Pool, key: str) -> AsyncIterator[None]:
    """Hold the session lock named `key` on one pooled connection while the block runs.

    Waits while another connection (this process or another replica) holds it. A connection
    lost meanwhile has released the lock with it, so unlocking it is not an error.
    """
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", key)
        try:
            yield
        finally:
            with contextlib.suppress(*_GONE):
                await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)
