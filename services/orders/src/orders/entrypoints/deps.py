"""Request dependencies: the database pool and the authenticated, not revoked, tenant."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from cachetools import TTLCache
from fastapi import Depends, Request
from lastmile_common.http.auth import CallerKey
from lastmile_common.http.problems import Problem

from orders.adapters.tenants import key_is_active


async def get_pool(request: Request) -> asyncpg.Pool:
    """The service's connection pool."""
    return request.app.state.runtime.pool  # type: ignore[no-any-return]


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


# Keys found issued recently. Revocation does not wait for this: `CallerKey` checks the revoked
# keys (as on every service) through a cache of a few seconds.
KEY_CACHE_SECONDS = 30.0
_issued: TTLCache[str, bool] = TTLCache(maxsize=100_000, ttl=KEY_CACHE_SECONDS)


async def tenant_id(key: CallerKey, pool: Pool) -> str:
    """The caller's tenant, once its key is known to orders (which issued it) and not revoked."""
    if key.hash in _issued:
        return key.tenant_id
    async with pool.acquire() as conn:
        if not await key_is_active(conn, key.hash, key.tenant_id):
            raise Problem(401, "Unauthorized", "the API key is unknown or revoked")
    _issued[key.hash] = True
    return key.tenant_id


TenantId = Annotated[str, Depends(tenant_id)]
