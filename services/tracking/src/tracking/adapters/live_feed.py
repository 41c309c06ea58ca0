"""The dispatchers' live messages of vehicles another replica follows, from PostgreSQL: what
changed in a tenant's positions and routes since the last look, in the stream's own shapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tracking.domain.route import RouteState

Message = tuple[str, dict[str, Any]]
# Commits are not seen in updated_at order: look back this far, the diff drops repeats.
LOOK_BACK = timedelta(seconds=5)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class TenantFeed:
    """One stream's view of a tenant; `changes` returns what moved since the last call, for the
    vehicles `elsewhere` says this replica does not follow (its own it streams from memory)."""

    def __init__(self, tenant_id: str, elsewhere: Callable[[str, str], bool]) -> None:
        self._tenant, self._elsewhere = tenant_id, elsewhere
        self._positions: dict[str, datetime] = {}
        self._routes: dict[str, tuple[str, str | None, dict[str, str]]] = {}
        self._since: datetime | None = None
        self._primed = False

    async def changes(self, conn: Any) -> list[Message]:
        """Messages for what changed (nothing on the first call: the snapshot said it)."""
        out = await self._moved(conn) + await self._progressed(conn)
        primed, self._primed = self._primed, True
        return out if primed else []

    async def _moved(self, conn: Any) -> list[Message]:
        rows = await conn.fetch(
            "SELECT vehicle_id, time, lat, lon, speed_mps, heading_deg FROM vehicle_positions"
            " WHERE tenant_id = $1",
            self._tenant,
        )
        out: list[Message] = []
        for row in rows:
            vehicle = row["vehicle_id"]
            if self._positions.get(vehicle) == row["time"]:
                continue
            self._positions[vehicle] = row["time"]
            if self._elsewhere(self._tenant, vehicle):
                out.append(("position", {**dict(row), "time": row["time"].isoformat()}))
        return out

    async def _progressed(self, conn: Any) -> list[Message]:
        now = await conn.fetchval("SELECT now()")
        since = (self._since or now - timedelta(days=2)) - LOOK_BACK
        rows = await conn.fetch(
            "SELECT state FROM routes WHERE tenant_id = $1 AND updated_at > $2", self._tenant, since
        )
        self._since = now
        out: list[Message] = []
        for row in rows:
            raw = row["state"]
            route = RouteState.from_json(json.loads(raw) if isinstance(raw, str) else raw)
            before = self._routes.get(route.route_id)
            stops = {s.stop_id: s.status.value for s in route.stops}
            off = _iso(route.off_route_since)
            self._routes[route.route_id] = (route.status.value, off, stops)
            if before is not None and self._elsewhere(self._tenant, route.vehicle_id):
                out += _route_messages(route, before, off, stops)
        return out


def _route_messages(
    route: RouteState,
    before: tuple[str, str | None, dict[str, str]],
    off: str | None,
    stops: dict[str, str],
) -> list[Message]:
    status, was_off, had = before
    out: list[Message] = []
    for stop in route.stops:
        if had.get(stop.stop_id) != stops[stop.stop_id]:
            at = stop.resolved_at or stop.departed_at or stop.arrived_at
            data = {"route_id": route.route_id, "stop_id": stop.stop_id}
            out.append(("stop", data | {"status": stops[stop.stop_id], "at": _iso(at)}))
    if off != was_off:
        base = {"route_id": route.route_id, "vehicle_id": route.vehicle_id}
        state = {"status": "off_route", "since": off} if off else {"status": "on_route"}
        out.append(("route", base | state))
    if status != route.status.value:
        out.append(("route", {"route_id": route.route_id, "status": route.status.value}))
    return out
