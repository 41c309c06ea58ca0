"""What the use cases need from storage; PostgreSQL in production, in memory in unit tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from lastmile_common.events.base import EventData

from orders.domain.model import Order


class OrdersStore(Protocol):
    """Orders, idempotency keys, the timeline and the outbox, all inside one transaction."""

    async def get(self, tenant_id: str, order_id: str) -> Order | None: ...

    async def get_by_external_id(self, tenant_id: str, external_id: str) -> Order | None: ...

    async def get_any(self, order_id: str) -> Order | None: ...

    async def add(self, order: Order) -> None: ...

    async def save(self, order: Order) -> None: ...

    async def idempotency(self, tenant_id: str, key: str) -> tuple[str, str] | None: ...

    async def remember_idempotency(
        self, tenant_id: str, key: str, fingerprint: str, order_id: str
    ) -> None: ...

    async def add_timeline(
        self,
        order_id: str,
        at: datetime,
        kind: str,
        detail: dict[str, Any],
        event_id: str | None = None,
    ) -> None: ...

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None: ...
