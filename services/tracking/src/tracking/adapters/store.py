"""PostgreSQL writes of the tracker, on the consumer's (or request's) connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lastmile_common.db.outbox import add_many_to_outbox
from lastmile_common.events.envelope import Envelope

from tracking.adapters.metrics import ETA_ERROR
from tracking.domain.eta_policy import Published
from tracking.domain.route import RouteState
from tracking.service_layer.ports import TokenRow


class PgStore:
    """The `Store` port on PostgreSQL."""

    async def save_route(self, conn: Any, route: RouteState) -> None:
        """Insert or replace a route and its progress."""
        await conn.execute(
            "INSERT INTO routes (route_id, tenant_id, vehicle_id, version, status, state)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (route_id) DO UPDATE SET"
            " vehicle_id = EXCLUDED.vehicle_id, version = EXCLUDED.version,"
            " status = EXCLUDED.status, state = EXCLUDED.state, updated_at = now()",
            route.route_id,
            route.tenant_id,
            route.vehicle_id,
            route.version,
            route.status.value,
            route.to_json(),
        )

    async def save_tokens(self, conn: Any, tenant_id: str, rows: list[TokenRow]) -> None:
        """Insert or refresh tracking tokens (one per order)."""
        await conn.executemany(
            "INSERT INTO tracking_tokens (token, tenant_id, order_id, route_id, stop_id, expires_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, order_id) DO UPDATE SET"
            " token = EXCLUDED.token, route_id = EXCLUDED.route_id,"
            " stop_id = EXCLUDED.stop_id, expires_at = EXCLUDED.expires_at",
            [(t, tenant_id, o, r, s, e) for t, o, r, s, e in rows],
        )

    async def save_told(self, conn: Any, tenant_id: str, rows: list[tuple[str, Published]]) -> None:
        """Record ETAs told to customers."""
        await conn.executemany(
            "INSERT INTO etas_told (tenant_id, order_id, told_at, eta, window_start, window_end,"
            " stops_away, sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING",
            [
                (
                    tenant_id,
                    order,
                    p.at,
                    p.eta,
                    p.window_start,
                    p.window_end,
                    p.stops_away,
                    p.sequence,
                )
                for order, p in rows
            ],
        )

    async def save_errors(
        self, conn: Any, tenant_id: str, order_id: str, errors: dict[int, float], at: datetime
    ) -> None:
        """Record the ETA errors measured at an arrival (and observe them as metrics)."""
        await conn.executemany(
            "INSERT INTO eta_errors (tenant_id, order_id, horizon_min, error_s, arrived_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [(tenant_id, order_id, h, e, at) for h, e in errors.items()],
        )
        for horizon, error in errors.items():
            ETA_ERROR.labels(str(horizon)).observe(abs(error))

    async def add_events(self, conn: Any, events: list[tuple[Envelope, str]]) -> None:
        """Queue events in the outbox."""
        await add_many_to_outbox(conn, events)
