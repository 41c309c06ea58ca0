"""Dispatchers: the live stream (SSE), vehicles snapshot and ETA accuracy, per tenant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse

from tracking.adapters.queries import accuracy_stats
from tracking.adapters.recovery import tenant_state
from tracking.entrypoints.deps import BroadcasterDep, PoolDep, SettingsDep, TenantDep
from tracking.service_layer.views import vehicles_view
from tracking.settings import TrackingSettings

router = APIRouter(tags=["dispatch"])


@router.get("/v1/vehicles")
async def vehicles(tenant: TenantDep, pool: PoolDep, settings: SettingsDep) -> dict[str, Any]:
    """Every vehicle of the caller's tenant: last position, route and next stop."""
    return {"vehicles": await _snapshot(pool, tenant, settings)}


async def _snapshot(pool: Any, tenant: str, settings: TrackingSettings) -> list[dict[str, Any]]:
    """The tenant's vehicles from PostgreSQL: the same on every replica, whichever one follows
    which vehicle."""
    async with pool.acquire() as conn:
        state = await tenant_state(conn, tenant, settings.token_ttl_after_route_s)
    return vehicles_view(state, tenant)


@router.get("/v1/eta-accuracy")
async def eta_accuracy(tenant: TenantDep, pool: PoolDep) -> dict[str, Any]:
    """ETA error at arrival for ETAs told 60, 30 and 10 minutes before (seconds)."""
    async with pool.acquire() as conn:
        horizons = await accuracy_stats(conn, tenant)
    return {
        "horizons": horizons,
        "sign": "error = ETA told minus actual arrival; positive = arrived earlier than told",
    }


@router.get("/v1/stream")
async def stream(
    request: Request,
    tenant: TenantDep,
    pool: PoolDep,
    settings: SettingsDep,
    broadcaster: BroadcasterDep,
) -> EventSourceResponse:
    """Server-sent events: a `snapshot`, then `position`, `stop` and `route` messages."""
    queue = broadcaster.subscribe(tenant)
    snapshot = await _snapshot(pool, tenant, settings)

    async def events() -> AsyncIterator[dict[str, str]]:
        try:
            yield {"event": "snapshot", "data": json.dumps({"vehicles": snapshot})}
            while True:
                try:
                    kind, data = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    continue
                yield {"event": kind, "data": json.dumps(data)}
        finally:
            broadcaster.unsubscribe(tenant, queue)

    return EventSourceResponse(events(), ping=15)
