"""What the use cases need from storage; PostgreSQL in production, in memory in unit tests."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from lastmile_common.events.base import EventData

from orders.domain.model import Order
from orders.domain.shopify import ShopifySettings


class CreateRaced(Exception):
    """A concurrent create with the same key or external id committed first; try again."""


@dataclass(frozen=True)
class NewOrder:
    """A create: the order, its request fingerprint and key, its timeline entry and event."""

    order: Order
    fingerprint: str
    idempotency_key: str | None
    timeline_kind: str
    timeline_detail: dict[str, Any]
    event: EventData
    event_key: str


@dataclass(frozen=True)
class KnownOrder:
    """The order a create's idempotency key (with the fingerprint stored for that key) or
    external id already names; nothing was written."""

    order: Order
    key_fingerprint: str | None


class OrdersStore(Protocol):
    """Orders, idempotency keys, the timeline, Shopify settings and the outbox on one connection."""

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Everything until the block ends commits together (or not at all)."""
        ...

    async def tenant_exists(self, tenant_id: str) -> bool: ...

    async def get(self, tenant_id: str, order_id: str) -> Order | None: ...

    async def get_for_update(self, tenant_id: str, order_id: str) -> Order | None:
        """As `get`, and no other transaction changes the order until this one ends."""
        ...

    async def get_any(self, order_id: str) -> Order | None: ...

    async def add_unless_known(self, new: NewOrder) -> KnownOrder | None:
        """Write the order, its key, timeline entry and event at once, unless the tenant's key
        or external id is known already; then return the order it names. Raises CreateRaced
        when a concurrent twin committed first."""
        ...

    async def save(self, order: Order) -> None: ...

    async def add_timeline(
        self,
        order_id: str,
        at: datetime,
        kind: str,
        detail: dict[str, Any],
        event_id: str | None = None,
    ) -> None: ...

    async def last_timeline_detail(self, order_id: str, kind: str) -> dict[str, Any] | None:
        """The detail of the order's latest timeline entry of `kind` (None: it has none)."""
        ...

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None: ...

    async def shopify_settings(self, tenant_id: str) -> ShopifySettings | None: ...

    async def save_shopify_settings(self, tenant_id: str, settings: ShopifySettings) -> None: ...

    async def shopify_webhook_order(self, tenant_id: str, webhook_id: str) -> str | None:
        """The order a Shopify webhook delivery created, if it was received before."""
        ...

    async def remember_shopify_webhook(
        self, tenant_id: str, webhook_id: str, order_id: str
    ) -> None: ...
