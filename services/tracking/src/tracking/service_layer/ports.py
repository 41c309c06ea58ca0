"""What the service layer needs from the outside world (PostgreSQL and fakes implement it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from lastmile_common.db.outbox import Outgoing
from lastmile_common.kafka.subscription import Conflict

from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix, Verdict
from tracking.domain.route import RouteState
from tracking.domain.travel import Travel

TokenRow = tuple[str, str, str, str, datetime]  # token, order id, route id, stop id, expires at


class RouteChanged(Conflict):
    """A route was written from a copy older than the stored one (another writer came in
    between): nothing of the write stands; the caller's transaction rolls back."""

    def __init__(self, route_ids: list[str]) -> None:
        super().__init__(f"routes changed since they were read: {', '.join(route_ids)}")
        self.route_ids = route_ids


class Store(Protocol):
    """Transactional writes, all on the caller's connection (the consumer's transaction)."""

    async def load_route(
        self, conn: Any, route_id: str, *, lock: bool = False
    ) -> RouteState | None:
        """The last committed state of a route; `lock`: no other writer until the transaction
        ends."""

    async def save_tokens(self, conn: Any, tenant_id: str, rows: list[TokenRow]) -> None:
        """Insert or refresh tracking tokens."""

    async def save_errors(
        self, conn: Any, tenant_id: str, order_id: str, errors: dict[int, float], at: datetime
    ) -> None:
        """Record the ETA errors measured at an arrival."""

    async def add_events(self, conn: Any, events: list[Outgoing]) -> None:
        """Queue events in the outbox."""

    async def save_routes_and_events(
        self,
        conn: Any,
        routes: list[RouteState],
        events: list[Outgoing],
        read: Sequence[RouteState] = (),
    ) -> None:
        """Routes and outbox events together, in one round trip. Each route's write is refused
        (`RouteChanged`) unless the stored revision is the route's; written, its revision is
        one more. So is the whole write if a route of `read` (the events were computed from it)
        is no longer at its revision; those stay locked (FOR SHARE) until the commit."""


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


class Roads(Travel, Protocol):
    """The road network (where there is a map): legs for ETAs, and a route's path on roads."""

    def geometry(self, route: RouteState) -> str | None:
        """The route's path from its depot through its stops and back (encoded polyline)."""
