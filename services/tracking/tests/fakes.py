"""An in-memory tracking store for the tracker's unit tests (held to the Store contract)."""

from __future__ import annotations

from typing import Any

from tracking.domain.route import RouteState


class FakeStore:
    """Routes as their JSON, events, tokens and ETA errors in lists."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.routes: dict[str, Any] = {}
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

    async def save_routes_and_events(self, conn: Any, routes: list[Any], events: list[Any]) -> None:
        for route in routes:
            self.routes[route.route_id] = route.to_json()
        await self.add_events(conn, events)

    async def load_route(self, conn: Any, route_id: str) -> Any:
        saved = self.routes.get(route_id)
        return RouteState.from_json(saved) if saved else None

    def of(self, kind: str) -> list[Any]:
        return [(e.data, key) for e, key in self.events if e.type == kind]
