"""An in-memory orders store for unit tests of the use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lastmile_common.events.base import EventData
from orders.domain.model import Order


class FakeOrdersStore:
    """Keeps orders, keys, timeline and published events in dicts and lists."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.keys: dict[tuple[str, str], tuple[str, str]] = {}
        self.timeline: list[tuple[str, str]] = []
        self.published: list[tuple[EventData, str, str]] = []

    async def get(self, tenant_id: str, order_id: str) -> Order | None:
        order = self.orders.get(order_id)
        return order if order and order.tenant_id == tenant_id else None

    async def get_any(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    async def get_by_external_id(self, tenant_id: str, external_id: str) -> Order | None:
        return next(
            (
                o
                for o in self.orders.values()
                if o.tenant_id == tenant_id and o.spec.external_id == external_id
            ),
            None,
        )

    async def add(self, order: Order) -> None:
        self.orders[order.id] = order

    async def save(self, order: Order) -> None:
        self.orders[order.id] = order

    async def idempotency(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        return self.keys.get((tenant_id, key))

    async def remember_idempotency(
        self, tenant_id: str, key: str, fingerprint: str, order_id: str
    ) -> None:
        self.keys[(tenant_id, key)] = (fingerprint, order_id)

    async def add_timeline(
        self,
        order_id: str,
        at: datetime,
        kind: str,
        detail: dict[str, Any],
        event_id: str | None = None,
    ) -> None:
        self.timeline.append((order_id, kind))

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        self.published.append((data, tenant_id, key))
