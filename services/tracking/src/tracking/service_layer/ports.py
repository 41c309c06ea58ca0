"""What the service layer needs from the outside world (PostgreSQL and fakes implement it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from lastmile_common.events.envelope import Envelope

from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix, Verdict
from tracking.domain.route import RouteState

TokenRow = tuple[str, str, str, str, datetime]  # token, order id, route id, stop id, expires at


class Store(Protocol):
    """Transactional writes, all on the caller's connection (the consumer's transaction)."""

    async def save_route(self, conn: Any, route: RouteState) -> None:
        """Insert or replace a route and its progress."""

    async def save_tokens(self, conn: Any, tenant_id: str, rows: list[TokenRow]) -> None:
        """Insert or refresh tracking tokens."""

    async def save_told(self, conn: Any, tenant_id: str, rows: list[tuple[str, Published]]) -> None:
        """Record ETAs told to customers."""

    async def save_errors(
        self, conn: Any, tenant_id: str, order_id: str, errors: dict[int, float], at: datetime
    ) -> None:
        """Record the ETA errors measured at an arrival."""

    async def add_events(self, conn: Any, events: list[tuple[Envelope, str]]) -> None:
        """Queue events in the outbox."""


class PingSink(Protocol):
    """Where pings and last positions go (buffered, written outside the consumer transaction)."""

    def add(
        self, tenant_id: str, vehicle_id: str, fix: Fix, received_at: datetime, verdict: Verdict
    ) -> None:
        """Queue one ping for storage."""

    def position(self, tenant_id: str, vehicle_id: str, fix: Fix) -> None:
        """Queue a vehicle's latest accepted position."""


class Stream(Protocol):
    """The dispatchers' live stream."""

    def publish(self, tenant_id: str, kind: str, data: dict[str, Any]) -> None:
        """Send one message to a tenant's listeners."""
