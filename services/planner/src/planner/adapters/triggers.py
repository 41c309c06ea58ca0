"""Re-plan requests and cut-off runs in PostgreSQL: what asks the planner to plan again."""

from __future__ import annotations

from datetime import date, datetime

from lastmile_common.db.pool import Connection

from planner.service_layer.records import ReplanRequest


class PostgresReplanRequests:
    """Debounced re-plan requests on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def request(
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

    async def due(self, before: datetime) -> list[ReplanRequest]:
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

    async def clear(self, request: ReplanRequest) -> bool:
        status = await self.conn.execute(
            "DELETE FROM replan_requests WHERE tenant_id = $1 AND depot_id = $2"
            " AND service_date = $3 AND requested_at = $4",
            request.tenant_id,
            request.depot_id,
            request.service_date,
            request.requested_at,
        )
        return bool(status.endswith(" 1"))


class PostgresCutoffRuns:
    """Cut-offs already run, per depot and local date, on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def claim(self, tenant_id: str, depot_id: str, day: date, cutoff: str) -> bool:
        status = await self.conn.execute(
            "INSERT INTO cutoff_runs (tenant_id, depot_id, local_date, cutoff)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            tenant_id,
            depot_id,
            day,
            cutoff,
        )
        return bool(status.endswith(" 1"))
