"""Plans, their routes and kept previews in PostgreSQL."""

from __future__ import annotations

from datetime import date

from lastmile_common.db.pool import Connection

from planner.adapters.rows import plan_of, preview_of, route_of
from planner.service_layer.records import (
    RouteStatus,
    StoredPlan,
    StoredPreview,
    StoredRoute,
)


class PostgresPlans:
    """Plans, routes and previews on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def latest(self, tenant_id: str, depot_id: str, day: date) -> StoredPlan | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plans WHERE tenant_id = $1 AND depot_id = $2 AND service_date = $3"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            tenant_id,
            depot_id,
            day,
        )
        return plan_of(row) if row else None

    async def get(self, tenant_id: str, plan_id: str) -> StoredPlan | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plans WHERE tenant_id = $1 AND id = $2", tenant_id, plan_id
        )
        return plan_of(row) if row else None

    async def save(self, plan: StoredPlan) -> None:
        await self.conn.execute(
            "INSERT INTO plans (tenant_id, id, depot_id, service_date, trigger, summary)"
            " VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (tenant_id, id) DO UPDATE SET summary = $6",
            plan.tenant_id,
            plan.id,
            plan.depot_id,
            plan.service_date,
            plan.trigger,
            plan.summary.model_dump(mode="json"),
        )

    async def save_preview(self, preview: StoredPreview) -> None:
        # Expired previews of every tenant go as new ones come: no sweeper task needed.
        await self.conn.execute("DELETE FROM plan_previews WHERE expires_at < now()")
        await self.conn.execute(
            "INSERT INTO plan_previews (tenant_id, id, summary, routes, route_ids, expires_at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            preview.tenant_id,
            preview.id,
            preview.summary.model_dump(mode="json"),
            [r.model_dump(mode="json") for r in preview.routes],
            [r.route_id for r in preview.routes],
            preview.expires_at,
        )

    async def get_preview(self, tenant_id: str, plan_id: str) -> StoredPreview | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plan_previews WHERE tenant_id = $1 AND id = $2 AND expires_at > now()",
            tenant_id,
            plan_id,
        )
        return preview_of(row) if row else None

    async def preview_of_route(self, tenant_id: str, route_id: str) -> StoredPreview | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plan_previews WHERE tenant_id = $1 AND route_ids @> ARRAY[$2]"
            " AND expires_at > now()",
            tenant_id,
            route_id,
        )
        return preview_of(row) if row else None

    async def routes_for(self, tenant_id: str, depot_id: str, day: date) -> list[StoredRoute]:
        rows = await self.conn.fetch(
            "SELECT * FROM routes WHERE tenant_id = $1 AND depot_id = $2 AND service_date = $3"
            " ORDER BY id",
            tenant_id,
            depot_id,
            day,
        )
        return [route_of(r) for r in rows]

    async def routes_of_plan(self, tenant_id: str, plan_id: str) -> list[StoredRoute]:
        rows = await self.conn.fetch(
            "SELECT * FROM routes WHERE tenant_id = $1 AND plan_id = $2 ORDER BY id",
            tenant_id,
            plan_id,
        )
        return [route_of(r) for r in rows]

    async def get_route(self, tenant_id: str, route_id: str) -> StoredRoute | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM routes WHERE tenant_id = $1 AND id = $2", tenant_id, route_id
        )
        return route_of(row) if row else None

    async def save_route(self, route: StoredRoute) -> None:
        await self.conn.execute(
            "INSERT INTO routes (tenant_id, id, plan_id, depot_id, service_date, vehicle_id,"
            " version, status, event, solved) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (tenant_id, id) DO UPDATE SET version = $7, status = $8, event = $9,"
            " solved = $10, updated_at = now()",
            route.tenant_id,
            route.id,
            route.plan_id,
            route.depot_id,
            route.service_date,
            route.vehicle_id,
            route.version,
            route.status,
            route.event.model_dump(mode="json"),
            route.solved,
        )

    async def set_route_status(self, tenant_id: str, route_id: str, status: RouteStatus) -> None:
        await self.conn.execute(
            "UPDATE routes SET status = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
            tenant_id,
            route_id,
            status,
        )
