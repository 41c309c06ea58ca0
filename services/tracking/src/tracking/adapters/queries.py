"""Reads for the HTTP API: tracking tokens, devices, ETA accuracy."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenTarget:
    """What a customer's tracking token points at, and whether it still works."""

    tenant_id: str
    order_id: str
    route_id: str
    stop_id: str
    expired: bool


async def find_token(conn: Any, token: str, order_id: str | None) -> TokenTarget | None:
    """The route stop of a token, or of the order a derived token names (its latest route)."""
    row = await conn.fetchrow(
        "SELECT tenant_id, order_id, route_id, stop_id, expires_at <= now() AS expired"
        " FROM tracking_tokens WHERE token = $1 OR order_id = $2"
        " ORDER BY token = $1 DESC, expires_at DESC LIMIT 1",
        token,
        order_id,
    )
    return TokenTarget(**dict(row)) if row else None


def hash_device_token(token: str) -> str:
    """What is stored of a device token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_device(conn: Any, tenant_id: str, vehicle_id: str, label: str) -> dict[str, str]:
    """Register a driver's device bound to a vehicle; the token is returned only here."""
    device_id = uuid.uuid4().hex
    token = "dev_" + secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO devices (device_id, tenant_id, vehicle_id, label, token_hash)"
        " VALUES ($1, $2, $3, $4, $5)",
        device_id,
        tenant_id,
        vehicle_id,
        label,
        hash_device_token(token),
    )
    return {"device_id": device_id, "vehicle_id": vehicle_id, "device_token": token}


async def find_device(conn: Any, token: str) -> tuple[str, str, str] | None:
    """(device id, tenant id, vehicle id) of a valid device token."""
    row = await conn.fetchrow(
        "SELECT device_id, tenant_id, vehicle_id FROM devices"
        " WHERE token_hash = $1 AND revoked_at IS NULL",
        hash_device_token(token),
    )
    return (row["device_id"], row["tenant_id"], row["vehicle_id"]) if row else None


async def list_devices(conn: Any, tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's devices, newest first (without tokens)."""
    rows = await conn.fetch(
        "SELECT device_id, vehicle_id, label, created_at, revoked_at FROM devices"
        " WHERE tenant_id = $1 ORDER BY created_at DESC",
        tenant_id,
    )
    return [dict(r) for r in rows]


async def revoke_device(conn: Any, tenant_id: str, device_id: str) -> bool:
    """Revoke the tenant's device (kept revoked if it was); False when it has no such device."""
    row = await conn.fetchrow(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, now())"
        " WHERE tenant_id = $1 AND device_id = $2 RETURNING device_id",
        tenant_id,
        device_id,
    )
    return row is not None


async def accuracy_stats(conn: Any, tenant_id: str) -> list[dict[str, Any]]:
    """ETA error per horizon for a tenant: count, mean absolute, median and p90 absolute, bias."""
    rows = await conn.fetch(
        "SELECT horizon_min, count(*) AS n, avg(abs(error_s)) AS mae, avg(error_s) AS bias,"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(error_s)) AS p50,"
        " percentile_cont(0.9) WITHIN GROUP (ORDER BY abs(error_s)) AS p90"
        " FROM eta_errors WHERE tenant_id = $1 GROUP BY horizon_min ORDER BY horizon_min DESC",
        tenant_id,
    )
    return [
        {
            "horizon_min": r["horizon_min"],
            "count": r["n"],
            "mean_abs_error_s": round(float(r["mae"]), 1),
            "bias_s": round(float(r["bias"]), 1),
            "p50_abs_error_s": round(float(r["p50"]), 1),
            "p90_abs_error_s": round(float(r["p90"]), 1),
        }
        for r in rows
    ]
