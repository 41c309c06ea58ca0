"""Request dependencies: the database pool and the authenticated, not revoked, tenant."""

from __future__ import annotations

import time
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from lastmile_common.http.auth import CallerKey
from lastmile_common.http.problems import Problem

from orders.adapters.tenants import key_is_active


async def get_pool(request: Request) -> asyncpg.Pool:
    """The service's connection pool."""
    return request.app.state.runtime.pool  # type: ignore[no-any-return]


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


# Keys checked recently: a revocation takes effect within this many seconds.
KEY_CACHE_SECONDS = 30.0
_checked: dict[str, float] = {}


async def tenant_id(key: CallerKey, pool: Pool) -> str:
    """The caller's tenant, once its key is known and not revoked."""
    now = time.monotonic()
    if _checked.get(key.hash, 0.0) > now:
        return key.tenant_id
    async with pool.acquire() as conn:
        if not await key_is_active(conn, key.hash, key.tenant_id):
            raise Problem(401, "Unauthorized", "the API key is unknown or revoked")
    if len(_checked) > 10_000:
        _checked.clear()
    _checked[key.hash] = now + KEY_CACHE_SECONDS
    return key.tenant_id


TenantId = Annotated[str, Depends(tenant_id)]
