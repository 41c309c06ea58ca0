"""Drivers' devices: issued by the dispatcher (token, sign-in link, QR code), listed, revoked."""

from __future__ import annotations

import io
from typing import Any

import segno
from fastapi import APIRouter, Request, Response, status
from lastmile_common.http.problems import Problem

from tracking.adapters.queries import create_device, list_devices, revoke_device
from tracking.entrypoints.deps import PoolDep, SettingsDep, TenantDep
from tracking.entrypoints.schemas import DeviceIn, DeviceListed, DeviceOut

router = APIRouter(tags=["devices"])


def sign_in_url(base: str, token: str) -> str:
    """The link that opens the driver's app signed in (the token in the fragment: a fragment
    is never sent to a server, so it stays out of access logs)."""
    return f"{base.rstrip('/')}/driver/#token={token}"


def qr_svg(text: str) -> str:
    """`text` as a QR code in SVG (medium error correction, quiet zone kept)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, xmldecl=False)
    return out.getvalue().decode()


@router.post("/v1/devices", status_code=status.HTTP_201_CREATED, response_model=DeviceOut)
async def register_device(
    body: DeviceIn, tenant: TenantDep, pool: PoolDep, settings: SettingsDep, request: Request
) -> dict[str, Any]:
    """Issue a device token bound to a vehicle, with its sign-in link and QR code (shown once;
    only the token's hash is stored)."""
    async with pool.acquire() as conn:
        device: dict[str, Any] = await create_device(conn, tenant, body.vehicle_id, body.label)
    base = settings.device_link_base_url or str(request.base_url)
    device["sign_in_url"] = sign_in_url(base, device["device_token"])
    device["sign_in_qr_svg"] = qr_svg(device["sign_in_url"])
    return device


@router.get("/v1/devices", response_model=list[DeviceListed])
async def get_devices(tenant: TenantDep, pool: PoolDep) -> list[dict[str, Any]]:
    """The tenant's devices, newest first, revoked ones included (never a token)."""
    async with pool.acquire() as conn:
        return await list_devices(conn, tenant)


@router.delete(
    "/v1/devices/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "no such device for this tenant"}},
)
async def delete_device(device_id: str, tenant: TenantDep, pool: PoolDep) -> Response:
    """Revoke a device: its next call gets 401 and the app signs out (idempotent)."""
    async with pool.acquire() as conn:
        if not await revoke_device(conn, tenant, device_id):
            raise Problem(404, "Not found", f"device {device_id} not found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
