"""Request dependencies: the database pool and the authenticated, not revoked, tenant."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from lastmile_common.http.auth import CallerKey
from lastmile_common.http.problems import Problem

from orders.adapters.tenants import key_is_active


def get_pool(request: Request) -> asyncpg.Pool:
    """The service's connection pool."""
    return request.app.state.runtime.pool  # type: ignore[no-any-return]


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


async def tenant_id(key: CallerKey, pool: Pool) -> str:
    """The caller's tenant, once its key is known and not revoked."""
    async with pool.acquire() as conn:
        if not await key_is_active(conn, key.hash, key.tenant_id):
            raise Problem(401, "Unauthorized", "the API key is unknown or revoked")
    return key.tenant_id


TenantId = Annotated[str, Depends(tenant_id)]
