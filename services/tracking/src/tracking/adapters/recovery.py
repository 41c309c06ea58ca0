"""Live state from PostgreSQL: the snapshots tracking writes, read back into a `TrackingState`.

Three readers share it: a replica taking over partitions (`recover`, for exactly the vehicles
those partitions hold), and the HTTP reads that must answer the same on every replica
(`order_state`, `tenant_state`): they never depend on which replica owns the vehicle.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState
from tracking.service_layer.state import TrackingState

# Whether this process keeps a vehicle: (tenant id, vehicle id) -> bool (None: every vehicle).
type Owns = Callable[[str, str], bool] | None

_POSITIONS = (
    "SELECT tenant_id, vehicle_id, time, lat, lon, speed_mps, heading_deg FROM vehicle_positions"
)
_TOLD = (
    "SELECT tenant_id, order_id, told_at, eta, window_start, window_end, stops_away, sequence"
    " FROM etas_told"
)


def _route(raw: Any, revision: int = 0) -> RouteState:
    # The service's pool decodes jsonb; a bare connection (CLI, tests) hands back text.
    return RouteState.from_json(json.loads(raw) if isinstance(raw, str) else raw, revision)


def _add_positions(state: TrackingState, rows: list[Any]) -> None:
    for row in rows:
        vehicle = state.vehicle(row["tenant_id"], row["vehicle_id"])
        vehicle.filter.last = Fix(
            row["time"],
            row["lat"],
            row["lon"],
            speed_mps=row["speed_mps"],
            heading_deg=row["heading_deg"],
        )


def _add_told(state: TrackingState, rows: list[Any]) -> None:
    for row in rows:
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


async def recover(
    conn: Any, state: TrackingState, keep_s: int, owns: Owns = None
) -> dict[str, int]:
    """Load recent routes, last positions and the ETAs told of the vehicles `owns` accepts;
    return counts."""
    since = datetime.now(UTC) - timedelta(seconds=keep_s)
    # Only the routes and ETAs of the vehicles taken up are read in full: a rebalance waits for
    # this load, and every replica's routes and every ETA told in `keep_s` made it seconds long.
    keys = await conn.fetch(
        "SELECT route_id, tenant_id, vehicle_id FROM routes"
        " WHERE status IN ('planned', 'started') OR updated_at > $1",
        since,
    )
    ids = [k["route_id"] for k in keys if owns is None or owns(k["tenant_id"], k["vehicle_id"])]
    rows = await conn.fetch(
        "SELECT state, revision FROM routes WHERE route_id = ANY($1::text[])", ids
    )
    # With their revisions: this replica writes them from now on.
    routes = [_route(row["state"], row["revision"]) for row in rows]
    for route in routes:
        state.add_route(route)
    positions = await conn.fetch(_POSITIONS + " WHERE time > $1", since)
    positions = [p for p in positions if owns is None or owns(p["tenant_id"], p["vehicle_id"])]
    _add_positions(state, positions)
    if owns is None:
        told = await conn.fetch(_TOLD + " WHERE told_at > $1 ORDER BY told_at, sequence", since)
    else:
        orders = sorted({(r.tenant_id, s.order_id) for r in routes for s in r.stops})
        told = await conn.fetch(
            _TOLD + " WHERE (tenant_id, order_id) IN"
            " (SELECT * FROM unnest($2::text[], $3::text[])) AND told_at > $1"
            " ORDER BY told_at, sequence",
            since,
            [tenant for tenant, _ in orders],
            [order for _, order in orders],
        )
    _add_told(state, told)
    return {"routes": len(routes), "vehicles": len(positions), "etas": len(told)}


async def vehicle_state(conn: Any, tenant_id: str, vehicle_id: str) -> TrackingState:
    """One vehicle's planned and started routes as last committed: what a replica that does not
    follow the vehicle answers its driver from."""
    rows = await conn.fetch(
        "SELECT r.state FROM routes r JOIN route_vehicles v USING (route_id)"
        " WHERE v.tenant_id = $1 AND v.vehicle_id = $2 AND r.status IN ('planned', 'started')",
        tenant_id,
        vehicle_id,
    )
    state = TrackingState()
    for row in rows:
        state.add_route(_route(row["state"]))
    return state


async def order_state(
    conn: Any, tenant_id: str, order_id: str, route_id: str
) -> TrackingState | None:
    """What one customer's view needs: the route carrying the order (the token's, else the
    latest that does: a re-plan may have moved it, and route events of two vehicles are not
    ordered), its vehicle's position, the order's ETAs. None: no route carries it now."""
    raw = await conn.fetchval(
        "SELECT state FROM routes WHERE route_id = $1 AND tenant_id = $2", route_id, tenant_id
    )
    route = _route(raw) if raw is not None else None
    if route is None or all(s.order_id != order_id for s in route.stops):
        raw = await conn.fetchval(
            "SELECT state FROM routes WHERE tenant_id = $1 AND state @> jsonb_build_object("
            "'stops', jsonb_build_array(jsonb_build_object('order_id', $2::text)))"
            " ORDER BY updated_at DESC LIMIT 1",
            tenant_id,
            order_id,
        )
        if raw is None:
            return None
        route = _route(raw)
    state = TrackingState()
    state.add_route(route)
    _add_positions(
        state,
        await conn.fetch(
            _POSITIONS + " WHERE tenant_id = $1 AND vehicle_id = $2", tenant_id, route.vehicle_id
        ),
    )
    _add_told(
        state,
        await conn.fetch(
            _TOLD + " WHERE tenant_id = $1 AND order_id = $2 ORDER BY told_at, sequence",
            tenant_id,
            order_id,
        ),
    )
    return state


async def tenant_state(conn: Any, tenant_id: str, keep_s: int) -> TrackingState:
    """What a dispatcher's view needs: the tenant's recent routes and its vehicles' positions."""
    since = datetime.now(UTC) - timedelta(seconds=keep_s)
    state = TrackingState()
    rows = await conn.fetch(
        "SELECT state FROM routes WHERE tenant_id = $1"
        " AND (status IN ('planned', 'started') OR updated_at > $2)",
        tenant_id,
        since,
    )
    for row in rows:
        state.add_route(_route(row["state"]))
    _add_positions(
        state,
        await conn.fetch(_POSITIONS + " WHERE tenant_id = $1 AND time > $2", tenant_id, since),
    )
    return state
