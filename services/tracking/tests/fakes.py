"""In-memory stand-ins for the tracker's tests: the store (held to the Store contract), the ping
sink and the dispatchers' stream."""

from __future__ import annotations

from typing import Any

from tracking.domain.route import RouteState
from tracking.service_layer.ports import RouteChanged


class FakeStore:
    """Routes as their JSON, events, tokens and ETA errors in lists."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.routes: dict[str, Any] = {}
        self.revisions: dict[str, int] = {}
        self.tokens: list[Any] = []
        self.errors: list[Any] = []

    async def save_tokens(self, conn: Any, tenant_id: str, rows: list[Any]) -> None:
        self.tokens.extend(rows)

    async def save_errors(
        self, conn: Any, tenant_id: str, order_id: str, errors: Any, at: Any
    ) -> None:
        self.errors.append((order_id, errors))

    async def add_events(self, conn: Any, events: list[Any]) -> None:
        self.events.extend(events)

    async def save_routes_and_events(
        self, conn: Any, routes: list[Any], events: list[Any], read: Any = ()
    ) -> None:
        # As on PostgreSQL: a stored route is written only from its own revision, kept apart,
        # and nothing is written if a route read is no longer at its revision.
        stored = self.revisions
        refused = [
            r.route_id for r in (*routes, *read) if stored.get(r.route_id, r.revision) != r.revision
        ]
        if refused:
            raise RouteChanged(refused)
        for route in routes:
            route.revision += 1
            self.routes[route.route_id] = route.to_json()
            stored[route.route_id] = route.revision
        await self.add_events(conn, events)

    async def load_route(self, conn: Any, route_id: str, *, lock: bool = False) -> Any:
        saved = self.routes.get(route_id)
        return RouteState.from_json(saved, self.revisions[route_id]) if saved else None

    def of(self, kind: str) -> list[Any]:
        return [(e.data, key) for e, key in self.events if e.type == kind]


class FakeSink:
    def __init__(self) -> None:
        self.rows: list[Any] = []

    def add(self, *row: Any) -> None:
        self.rows.append(row)

    def position(self, *row: Any) -> None:
        pass

    def told(self, *row: Any) -> None:
        pass


class FakeStream:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    def publish(self, tenant_id: str, kind: str, data: Any) -> None:
        self.messages.append((tenant_id, kind, data))
