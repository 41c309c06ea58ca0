"""The driver's reported day events in PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracking.service_layer.driver_day import DayEvent


class PgDriverEvents:
    """`driver_events`: breaks and route finished, per vehicle."""

    async def add(self, conn: Any, event: DayEvent) -> None:
        """Insert the event."""
        await conn.execute(
            "INSERT INTO driver_events (tenant_id, vehicle_id, device_id, kind, route_id, at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            event.tenant_id,
            event.vehicle_id,
            event.device_id,
            event.kind,
            event.route_id,
            event.at,
        )

    async def break_started(self, conn: Any, tenant_id: str, vehicle_id: str) -> datetime | None:
        """The start of the running break: the vehicle's latest break event is a start."""
        row = await conn.fetchrow(
            "SELECT kind, at FROM driver_events WHERE tenant_id = $1 AND vehicle_id = $2"
            " AND kind IN ('break_started', 'break_ended') ORDER BY at DESC LIMIT 1",
            tenant_id,
            vehicle_id,
        )
        return row["at"] if row and row["kind"] == "break_started" else None

    async def hold(self, conn: Any, tenant_id: str, vehicle_id: str) -> None:
        """A transaction-scoped advisory lock on the vehicle."""
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))",
            tenant_id,
            vehicle_id,
        )
