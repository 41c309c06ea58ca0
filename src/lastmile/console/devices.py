"""The console's drivers' phones: issue, list and revoke devices through tracking's API with the
dispatcher's own API key (passed through per request, never kept by the console)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request, Response

TIMEOUT_S = 10.0


def devices_router(services: dict[str, str]) -> APIRouter:
    """`/api/devices`: forwarded to tracking's `/v1/devices` with the caller's Authorization."""
    router = APIRouter()

    async def forward(request: Request, method: str, path: str, body: Any = None) -> Response:
        tracking = services.get("tracking")
        if tracking is None:
            return Response(
                '{"detail": "tracking is not running"}', 503, media_type="application/json"
            )
        headers = {"Authorization": request.headers.get("authorization", "")}
        async with httpx.AsyncClient(base_url=tracking, timeout=TIMEOUT_S) as client:
            answer = await client.request(method, path, json=body, headers=headers)
        return Response(
            answer.content,
            answer.status_code,
            media_type=answer.headers.get("content-type", "application/json"),
        )

    @router.get("/api/devices")
    async def list_devices(request: Request) -> Response:
        return await forward(request, "GET", "/v1/devices")

    @router.post("/api/devices")
    async def new_device(request: Request) -> Response:
        return await forward(request, "POST", "/v1/devices", await request.json())

    @router.delete("/api/devices/{device_id}")
    async def revoke_device(device_id: str, request: Request) -> Response:
        return await forward(request, "DELETE", f"/v1/devices/{device_id}")

    return router
