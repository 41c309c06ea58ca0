"""Pending orders in PostgreSQL: orders.v1 by depot and service date, with stop progress."""

from __future__ import annotations

from datetime import date

from lastmile_common.db.pool import Connection

from planner.adapters.rows import pending_of
from planner.service_layer.records import PendingOrder


class PostgresPendingOrders:
    """Pending orders on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def lock_depot(self, tenant_id: str, depot_id: str) -> None:
        """Serialise writers of one depot's pending set until the transaction ends."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{tenant_id}/{depot_id}"
        )

    async def get(self, tenant_id: str, order_id: str) -> PendingOrder | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM pending_orders WHERE tenant_id = $1 AND order_id = $2",
            tenant_id,
            order_id,
        )
        return pending_of(row) if row else None

    async def save(self, order: PendingOrder) -> None:
        await self.conn.execute(
            "INSERT INTO pending_orders (tenant_id, order_id, depot_id, service_date, status,"
            " version, snapshot, progress, progress_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (tenant_id, order_id) DO UPDATE SET depot_id = $3, service_date = $4,"
            " status = $5, version = $6, snapshot = $7, progress = $8, progress_at = $9,"
            " updated_at = now()",
            order.tenant_id,
            order.order_id,
            order.depot_id,
            order.service_date,
            order.status,
            order.version,
            order.snapshot.model_dump(mode="json"),
            order.progress,
            order.progress_at,
        )

    async def of_date(self, tenant_id: str, depot_id: str, day: date) -> list[PendingOrder]:
        rows = await self.conn.fetch(
            "SELECT * FROM pending_orders WHERE tenant_id = $1 AND depot_id = $2"
            " AND service_date = $3 ORDER BY order_id",
            tenant_id,
            depot_id,
            day,
        )
        return [pending_of(r) for r in rows]

    async def of_depot(self, tenant_id: str, depot_id: str) -> list[PendingOrder]:
        rows = await self.conn.fetch(
            "SELECT * FROM pending_orders WHERE tenant_id = $1 AND depot_id = $2",
            tenant_id,
            depot_id,
        )
        return [pending_of(r) for r in rows]
