"""What the service layer needs from the outside world (PostgreSQL and fakes implement it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from lastmile_common.db.outbox import Outgoing

from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix, Verdict
from tracking.domain.route import RouteState

TokenRow = tuple[str, str, str, str, datetime]  # token, order id, route id, stop id, expires at


class Store(Protocol):
    """Transactional writes, all on the caller's connection (the consumer's transaction)."""

    async def load_route(self, conn: Any, route_id: str) -> RouteState | None:
        """The last committed state of a route."""

    async def save_tokens(self, conn: Any, tenant_id: str, rows: list[TokenRow]) -> None:
        """Insert or refresh tracking tokens."""

    async def save_errors(
        self, conn: Any, tenant_id: str, order_id: str, errors: dict[int, float], at: datetime
    ) -> None:
        """Record the ETA errors measured at an arrival."""

    async def add_events(self, conn: Any, events: list[Outgoing]) -> None:
        """Queue events in the outbox."""

    async def save_routes_and_events(
        self, conn: Any, routes: list[RouteState], events: list[Outgoing]
    ) -> None:
        """Routes and outbox events together, in one round trip."""


class PingSink(Protocol):
    """Where pings, last positions and told ETAs go: buffered, written outside the consumer's
    transaction (a crash loses at most one flush interval of them; see docs)."""

    def add(
        self, tenant_id: str, vehicle_id: str, fix: Fix, received_at: datetime, verdict: Verdict
    ) -> None:
        """Queue one ping for storage."""

    def position(self, tenant_id: str, vehicle_id: str, fix: Fix) -> None:
        """Queue a vehicle's latest accepted position."""

    def told(self, tenant_id: str, order_id: str, told: Published) -> None:
        """Queue an ETA told to a customer (throttling and accuracy history)."""


class Stream(Protocol):
    """The dispatchers' live stream."""

    def publish(self, tenant_id: str, kind: str, data: dict[str, Any]) -> None:
        """Send one message to a tenant's listeners."""
