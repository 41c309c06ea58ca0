"""The PostgreSQL implementation of the planner store, bound to one transaction's connection:
the fleet and planning rows (fleet.py, plans.py), replan requests, cutoffs and the outbox."""

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

from planner.adapters.fleet import FleetRows
from planner.adapters.plans import PlanRows
from planner.service_layer.records import ReplanRequest

SOURCE = service_source("planner")


class PostgresPlannerStore(FleetRows, PlanRows):
    """Depots, vehicles, pending orders, plans, routes, triggers and the outbox on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def lock_depot(self, tenant_id: str, depot_id: str) -> None:
        """Serialise writers of one depot's pending set until the transaction ends."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{tenant_id}/{depot_id}"
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
