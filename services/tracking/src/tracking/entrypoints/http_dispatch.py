"""Dispatchers: the live stream (SSE), vehicles snapshot and ETA accuracy, per tenant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse

from tracking.adapters.queries import accuracy_stats
from tracking.entrypoints.deps import BroadcasterDep, PoolDep, TenantDep, TrackerDep
from tracking.service_layer.views import vehicles_view

router = APIRouter(tags=["dispatch"])


@router.get("/v1/vehicles")
async def vehicles(tenant: TenantDep, tracker: TrackerDep) -> dict[str, Any]:
    """Every vehicle of the caller's tenant: last position, route and next stop."""
    return {"vehicles": vehicles_view(tracker.state, tenant)}


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
    request: Request, tenant: TenantDep, tracker: TrackerDep, broadcaster: BroadcasterDep
) -> EventSourceResponse:
    """Server-sent events: a `snapshot`, then `position`, `stop` and `route` messages."""
    queue = broadcaster.subscribe(tenant)
    snapshot = vehicles_view(tracker.state, tenant)

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
