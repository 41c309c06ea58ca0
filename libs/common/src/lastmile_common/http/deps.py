"""Request dependencies every service shares: its pool and one connection per request.

Each service's `entrypoints/deps.py` re-exports these next to its own (`SettingsDep`,
`TenantDep`, `StoreDep`, ...), so routers import every alias from one place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from lastmile_common.db.pool import ACQUIRE_TIMEOUT_S, Connection


def get_pool(request: Request) -> asyncpg.Pool:
    """The service's connection pool (started by the app's lifespan)."""
    pool: asyncpg.Pool = request.app.state.runtime.pool
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]


async def get_conn(pool: PoolDep) -> AsyncIterator[Connection]:
    """One pooled connection for the request, outside any transaction; released after it (an
    exhausted pool answers 503 after `ACQUIRE_TIMEOUT_S`)."""
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(get_conn)]
