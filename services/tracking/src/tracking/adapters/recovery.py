"""Rebuilding the in-memory state from PostgreSQL at start."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState
from tracking.service_layer.state import TrackingState


async def recover(conn: Any, state: TrackingState, keep_s: int) -> dict[str, int]:
    """Load recent routes, last positions and the ETAs told; return counts."""
    since = datetime.now(UTC) - timedelta(seconds=keep_s)
    routes = await conn.fetch(
        "SELECT state FROM routes WHERE status IN ('planned', 'started') OR updated_at > $1",
        since,
    )
    for row in routes:
        raw = row["state"]
        # The service's pool decodes jsonb; a bare connection (CLI, tests) hands back text.
        state.add_route(RouteState.from_json(json.loads(raw) if isinstance(raw, str) else raw))
    positions = await conn.fetch(
        "SELECT tenant_id, vehicle_id, time, lat, lon, speed_mps, heading_deg"
        " FROM vehicle_positions WHERE time > $1",
        since,
    )
    for row in positions:
        vehicle = state.vehicle(row["tenant_id"], row["vehicle_id"])
        vehicle.filter.last = Fix(
            row["time"],
            row["lat"],
            row["lon"],
            speed_mps=row["speed_mps"],
            heading_deg=row["heading_deg"],
        )
    told = await conn.fetch(
        "SELECT tenant_id, order_id, told_at, eta, window_start, window_end, stops_away, sequence"
        " FROM etas_told WHERE told_at > $1 ORDER BY told_at, sequence",
        since,
    )
    for row in told:
        state.remember_told(
            (row["tenant_id"], row["order_id"]),
            Published(
                row["eta"],
                row["window_start"],
                row["window_end"],
                row["stops_away"],
                row["told_at"],
                row["sequence"],
            ),
        )
    return {"routes": len(routes), "vehicles": len(positions), "etas": len(told)}
