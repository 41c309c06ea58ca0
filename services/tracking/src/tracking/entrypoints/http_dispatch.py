"""Dispatchers: the live stream (SSE), vehicles snapshot and ETA accuracy, per tenant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse

from tracking.adapters.live_feed import TenantFeed
from tracking.adapters.queries import accuracy_stats
from tracking.adapters.recovery import tenant_state
from tracking.entrypoints.deps import (
    BroadcasterDep,
    OwnershipDep,
    PoolDep,
    SettingsDep,
    TenantDep,
)
from tracking.service_layer.views import vehicles_view
from tracking.settings import TrackingSettings

router = APIRouter(tags=["dispatch"])
MIN_POLL_S = 0.5  # the database is asked at most this often per open stream


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
    ownership: OwnershipDep,
) -> EventSourceResponse:
    """Server-sent events: a `snapshot`, then `position`, `stop` and `route` messages, of every
    vehicle of the tenant whichever replica follows it (this one's from memory, at once; the
    others' from PostgreSQL, every `stream_position_interval_s`)."""
    feed = TenantFeed(tenant, lambda t, v: not ownership.owns(t, v))
    async with pool.acquire() as conn:
        await feed.changes(conn)  # before the snapshot: a change in between is told, not lost
    queue = broadcaster.subscribe(tenant)
    snapshot = await _snapshot(pool, tenant, settings)
    every = max(settings.stream_position_interval_s, MIN_POLL_S)

    async def events() -> AsyncIterator[dict[str, str]]:
        loop = asyncio.get_running_loop()
        try:
            yield {"event": "snapshot", "data": json.dumps({"vehicles": snapshot})}
            next_poll = loop.time() + every
            while True:
                try:
                    wait = max(0.0, next_poll - loop.time())
                    kind, data = await asyncio.wait_for(queue.get(), timeout=wait)
                    yield {"event": kind, "data": json.dumps(data)}
                    continue
                except TimeoutError:
                    pass
                if await request.is_disconnected():
                    return
                async with pool.acquire() as conn:
                    for kind, data in await feed.changes(conn):
                        yield {"event": kind, "data": json.dumps(data)}
                next_poll = loop.time() + every
        finally:
            broadcaster.unsubscribe(tenant, queue)

    return EventSourceResponse(events(), ping=15)
