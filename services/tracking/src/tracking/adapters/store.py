"""PostgreSQL writes of the tracker, on the consumer's (or request's) connection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lastmile_common.db import outbox
from lastmile_common.db.outbox import Outgoing

from tracking.adapters.metrics import ETA_ERROR
from tracking.domain.route import RouteState
from tracking.service_layer.ports import RouteChanged, TokenRow


class PgStore:
    """The `Store` port on PostgreSQL."""

    async def load_route(
        self, conn: Any, route_id: str, *, lock: bool = False
    ) -> RouteState | None:
        """The last committed state of a route (`lock`: FOR UPDATE, until the transaction ends)."""
        sql = "SELECT state, revision FROM routes WHERE route_id = $1"
        row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), route_id)
        if row is None:
            return None
        raw = row["state"]
        return RouteState.from_json(
            json.loads(raw) if isinstance(raw, str) else raw, row["revision"]
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

    async def add_events(self, conn: Any, events: list[Outgoing]) -> None:
        """Queue events in the outbox."""
        await outbox.add(conn, events)

    async def save_routes_and_events(
        self,
        conn: Any,
        routes: list[RouteState],
        events: list[Outgoing],
        read: Sequence[RouteState] = (),
    ) -> None:
        """Routes and outbox rows in ONE round trip: the hot path's only transactional write.
        A route whose stored revision is not its own is not written, and a route read that is
        no longer at its revision is not locked: either way `RouteChanged`."""
        args = (
            [r.route_id for r in routes],
            [r.tenant_id for r in routes],
            [r.vehicle_id for r in routes],
            [r.version for r in routes],
            [r.status.value for r in routes],
            [r.revision + 1 for r in routes],
            [json.dumps(r.to_json()) for r in routes],
            [r.route_id for r in read],
            [r.revision for r in read],
        )
        rows = await outbox.add(conn, events, outbox.Alongside(_SAVE_ROUTES, _SAVED, args))
        saved = set(rows[0]["saved"]) | set(rows[0]["checked"])
        refused = [r.route_id for r in (*routes, *read) if r.route_id not in saved]
        if refused:
            raise RouteChanged(refused)
        for route in routes:
            route.revision += 1


# A new route (revision 0) is inserted at 1; a stored one is updated only from the revision
# before (the writer's copy is current), else it is left and missing from `saved`.
_SAVE_ROUTES = """
saved AS (
    INSERT INTO routes (route_id, tenant_id, vehicle_id, version, status, revision, state)
    SELECT r.id, r.tenant, r.vehicle, r.version, r.status, r.revision, r.state::jsonb
    FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[])
        AS r(id, tenant, vehicle, version, status, revision, state)
    ON CONFLICT (route_id) DO UPDATE SET
        vehicle_id = EXCLUDED.vehicle_id, version = EXCLUDED.version, status = EXCLUDED.status,
        revision = EXCLUDED.revision, state = EXCLUDED.state, updated_at = now()
    WHERE routes.revision = EXCLUDED.revision - 1
    RETURNING route_id
),
checked AS (
    SELECT routes.route_id FROM routes
    JOIN unnest($8::text[], $9::int[]) AS c(id, revision)
        ON routes.route_id = c.id AND routes.revision = c.revision
    FOR SHARE OF routes
)"""
_SAVED = "SELECT array(SELECT route_id FROM saved) AS saved, array(SELECT route_id FROM checked) AS checked"
