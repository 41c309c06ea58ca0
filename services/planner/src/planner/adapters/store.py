"""The PostgreSQL implementation of the planner store, bound to one transaction's connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import asyncpg
from lastmile_common.db import outbox
from lastmile_common.db.pool import Connection
from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope, service_source
from lastmile_common.events.orders import OrderSnapshot
from lastmile_common.events.routes import PlanCompleted, RoutePlanned, RouteUpdated

from planner.service_layer.fleet import DepotSpec, VehicleSpec
from planner.service_layer.problem import StoredDepot, StoredVehicle
from planner.service_layer.records import (
    PendingOrder,
    ReplanRequest,
    RouteStatus,
    StoredPlan,
    StoredPreview,
    StoredRoute,
)

SOURCE = service_source("planner")


def _depot(row: Any) -> StoredDepot:
    return StoredDepot(row["tenant_id"], row["id"], DepotSpec.model_validate(row["spec"]))


def _vehicle(row: Any) -> StoredVehicle:
    return StoredVehicle(
        row["tenant_id"], row["id"], row["depot_id"], VehicleSpec.model_validate(row["spec"])
    )


def _pending(row: Any) -> PendingOrder:
    return PendingOrder(
        row["tenant_id"],
        row["order_id"],
        row["depot_id"],
        row["service_date"],
        row["status"],
        row["version"],
        OrderSnapshot.model_validate(row["snapshot"]),
        row["progress"],
    )


def _preview(row: Any) -> StoredPreview:
    return StoredPreview(
        row["tenant_id"],
        PlanCompleted.model_validate(row["summary"]),
        tuple(RoutePlanned.model_validate(r) for r in row["routes"]),
        row["expires_at"],
    )


def _plan(row: Any) -> StoredPlan:
    return StoredPlan(
        row["tenant_id"],
        row["id"],
        row["depot_id"],
        row["service_date"],
        row["trigger"],
        PlanCompleted.model_validate(row["summary"]),
    )


def _route(row: Any) -> StoredRoute:
    event = row["event"]
    model = RouteUpdated if "reason" in event else RoutePlanned
    return StoredRoute(
        row["tenant_id"],
        row["id"],
        row["plan_id"],
        row["depot_id"],
        row["service_date"],
        row["vehicle_id"],
        row["version"],
        row["status"],
        model.model_validate(event),
        row["solved"],
    )


class PostgresPlannerStore:
    """Depots, vehicles, pending orders, plans, routes, triggers and the outbox on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def lock_depot(self, tenant_id: str, depot_id: str) -> None:
        """Serialise writers of one depot's pending set until the transaction ends."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{tenant_id}/{depot_id}"
        )

    async def get_depot(self, tenant_id: str, depot_id: str) -> StoredDepot | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM depots WHERE tenant_id = $1 AND id = $2", tenant_id, depot_id
        )
        return _depot(row) if row else None

    async def list_depots(self, tenant_id: str) -> list[StoredDepot]:
        rows = await self.conn.fetch(
            "SELECT * FROM depots WHERE tenant_id = $1 ORDER BY created_at, id", tenant_id
        )
        return [_depot(r) for r in rows]

    async def all_depots(self) -> list[StoredDepot]:
        rows = await self.conn.fetch("SELECT * FROM depots WHERE spec->'cutoff_times' <> '[]'")
        return [_depot(r) for r in rows]

    async def save_depot(self, depot: StoredDepot) -> None:
        await self.conn.execute(
            "INSERT INTO depots (tenant_id, id, spec) VALUES ($1, $2, $3)"
            " ON CONFLICT (tenant_id, id) DO UPDATE SET spec = $3, updated_at = now()",
            depot.tenant_id,
            depot.id,
            depot.spec.model_dump(mode="json"),
        )

    async def delete_depot(self, tenant_id: str, depot_id: str) -> bool:
        status = await self.conn.execute(
            "DELETE FROM depots WHERE tenant_id = $1 AND id = $2", tenant_id, depot_id
        )
        return bool(status.endswith(" 1"))

    async def get_vehicle(self, tenant_id: str, vehicle_id: str) -> StoredVehicle | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM vehicles WHERE tenant_id = $1 AND id = $2", tenant_id, vehicle_id
        )
        return _vehicle(row) if row else None

    async def list_vehicles(self, tenant_id: str, depot_id: str) -> list[StoredVehicle]:
        rows = await self.conn.fetch(
            "SELECT * FROM vehicles WHERE tenant_id = $1 AND depot_id = $2 ORDER BY created_at, id",
            tenant_id,
            depot_id,
        )
        return [_vehicle(r) for r in rows]

    async def save_vehicle(self, vehicle: StoredVehicle) -> None:
        await self.conn.execute(
            "INSERT INTO vehicles (tenant_id, id, depot_id, spec) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (tenant_id, id) DO UPDATE SET spec = $4, updated_at = now()",
            vehicle.tenant_id,
            vehicle.id,
            vehicle.depot_id,
            vehicle.spec.model_dump(mode="json"),
        )

    async def delete_vehicle(self, tenant_id: str, vehicle_id: str) -> bool:
        status = await self.conn.execute(
            "DELETE FROM vehicles WHERE tenant_id = $1 AND id = $2", tenant_id, vehicle_id
        )
        return bool(status.endswith(" 1"))

    async def get_pending(self, tenant_id: str, order_id: str) -> PendingOrder | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM pending_orders WHERE tenant_id = $1 AND order_id = $2",
            tenant_id,
            order_id,
        )
        return _pending(row) if row else None

    async def save_pending(self, order: PendingOrder) -> None:
        await self.conn.execute(
            "INSERT INTO pending_orders (tenant_id, order_id, depot_id, service_date, status,"
            " version, snapshot, progress) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (tenant_id, order_id) DO UPDATE SET depot_id = $3, service_date = $4,"
            " status = $5, version = $6, snapshot = $7, progress = $8, updated_at = now()",
            order.tenant_id,
            order.order_id,
            order.depot_id,
            order.service_date,
            order.status,
            order.version,
            order.snapshot.model_dump(mode="json"),
            order.progress,
        )

    async def pending_for(self, tenant_id: str, depot_id: str, day: date) -> list[PendingOrder]:
        rows = await self.conn.fetch(
            "SELECT * FROM pending_orders WHERE tenant_id = $1 AND depot_id = $2"
            " AND service_date = $3 ORDER BY order_id",
            tenant_id,
            depot_id,
            day,
        )
        return [_pending(r) for r in rows]

    async def pending_of_depot(self, tenant_id: str, depot_id: str) -> list[PendingOrder]:
        rows = await self.conn.fetch(
            "SELECT * FROM pending_orders WHERE tenant_id = $1 AND depot_id = $2",
            tenant_id,
            depot_id,
        )
        return [_pending(r) for r in rows]

    async def latest_plan(self, tenant_id: str, depot_id: str, day: date) -> StoredPlan | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plans WHERE tenant_id = $1 AND depot_id = $2 AND service_date = $3"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            tenant_id,
            depot_id,
            day,
        )
        return _plan(row) if row else None

    async def get_plan(self, tenant_id: str, plan_id: str) -> StoredPlan | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plans WHERE tenant_id = $1 AND id = $2", tenant_id, plan_id
        )
        return _plan(row) if row else None

    async def save_plan(self, plan: StoredPlan) -> None:
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
        return _preview(row) if row else None

    async def preview_of_route(self, tenant_id: str, route_id: str) -> StoredPreview | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plan_previews WHERE tenant_id = $1 AND route_ids @> ARRAY[$2]"
            " AND expires_at > now()",
            tenant_id,
            route_id,
        )
        return _preview(row) if row else None

    async def routes_for(self, tenant_id: str, depot_id: str, day: date) -> list[StoredRoute]:
        rows = await self.conn.fetch(
            "SELECT * FROM routes WHERE tenant_id = $1 AND depot_id = $2 AND service_date = $3"
            " ORDER BY id",
            tenant_id,
            depot_id,
            day,
        )
        return [_route(r) for r in rows]

    async def routes_of_plan(self, tenant_id: str, plan_id: str) -> list[StoredRoute]:
        rows = await self.conn.fetch(
            "SELECT * FROM routes WHERE tenant_id = $1 AND plan_id = $2 ORDER BY id",
            tenant_id,
            plan_id,
        )
        return [_route(r) for r in rows]

    async def get_route(self, tenant_id: str, route_id: str) -> StoredRoute | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM routes WHERE tenant_id = $1 AND id = $2", tenant_id, route_id
        )
        return _route(row) if row else None

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

    async def request_replan(
        self,
        tenant_id: str,
        depot_id: str,
        day: date,
        at: datetime,
        reason: str,
        event_time: datetime | None = None,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO replan_requests"
            " (tenant_id, depot_id, service_date, requested_at, reasons, event_time)"
            " VALUES ($1, $2, $3, $4, ARRAY[$5], $6)"
            " ON CONFLICT (tenant_id, depot_id, service_date)"
            " DO UPDATE SET requested_at = GREATEST(replan_requests.requested_at, $4),"
            " reasons = replan_requests.reasons || $5,"
            " event_time = GREATEST(replan_requests.event_time, $6)",
            tenant_id,
            depot_id,
            day,
            at,
            reason,
            event_time,
        )

    async def due_replans(self, before: datetime) -> list[ReplanRequest]:
        rows = await self.conn.fetch(
            "SELECT * FROM replan_requests WHERE requested_at <= $1 ORDER BY requested_at", before
        )
        return [
            ReplanRequest(
                r["tenant_id"],
                r["depot_id"],
                r["service_date"],
                r["requested_at"],
                tuple(r["reasons"]),
                r["event_time"],
            )
            for r in rows
        ]

    async def clear_replan(self, request: ReplanRequest) -> bool:
        status = await self.conn.execute(
            "DELETE FROM replan_requests WHERE tenant_id = $1 AND depot_id = $2"
            " AND service_date = $3 AND requested_at = $4",
            request.tenant_id,
            request.depot_id,
            request.service_date,
            request.requested_at,
        )
        return bool(status.endswith(" 1"))

    async def claim_cutoff(self, tenant_id: str, depot_id: str, day: date, cutoff: str) -> bool:
        status = await self.conn.execute(
            "INSERT INTO cutoff_runs (tenant_id, depot_id, local_date, cutoff)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            tenant_id,
            depot_id,
            day,
            cutoff,
        )
        return bool(status.endswith(" 1"))

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        envelope = Envelope.wrap(data, source=SOURCE, tenant=tenant_id, subject=subject)
        await outbox.add(self.conn, [(envelope, key)])


def transactions(pool: asyncpg.Pool) -> Any:
    """A `Transactions` factory on a pool: each call opens one transaction."""

    @asynccontextmanager
    async def open_tx() -> AsyncIterator[PostgresPlannerStore]:
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresPlannerStore(conn)

    return open_tx
