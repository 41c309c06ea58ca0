"""An in-memory orders store for unit tests of the use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from lastmile_common.events.base import EventData
from lastmile_common.geocoding.index import AddressIndex
from lastmile_common.routing import RoutingSettings, map_bounds
from orders.domain.geocoding import Geocoder
from orders.domain.model import Order
from orders.domain.shopify import ShopifySettings
from orders.service_layer.ports import KnownOrder, NewOrder

# The embedded map's rectangle (Liechtenstein): orders outside it are refused.
MAP = map_bounds(RoutingSettings())


class FakeOrdersStore:
    """Keeps orders, keys, timeline and published events in dicts and lists."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.keys: dict[tuple[str, str], tuple[str, str]] = {}
        self.timeline: list[tuple[str, str]] = []
        self.details: list[tuple[str, str, dict[str, Any]]] = []
        self.published: list[tuple[EventData, str, str]] = []
        self.shopify: dict[str, ShopifySettings] = {}
        self.webhooks: dict[tuple[str, str], str] = {}
        self.transactions = 0
        self.tenants: set[str] = set()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self.transactions += 1
        yield

    async def tenant_exists(self, tenant_id: str) -> bool:
        return tenant_id in self.tenants

    async def get_for_update(self, tenant_id: str, order_id: str) -> Order | None:
        return await self.get(tenant_id, order_id)

    async def get(self, tenant_id: str, order_id: str) -> Order | None:
        order = self.orders.get(order_id)
        return order if order and order.tenant_id == tenant_id else None

    async def get_any(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    async def add_unless_known(self, new: NewOrder) -> KnownOrder | None:
        order = new.order
        if new.idempotency_key is not None:
            seen = self.keys.get((order.tenant_id, new.idempotency_key))
            if seen is not None:
                return KnownOrder(self.orders[seen[1]], seen[0])
        for prior in self.orders.values():
            if (
                prior.tenant_id == order.tenant_id
                and prior.spec.external_id == order.spec.external_id
            ):
                return KnownOrder(prior, None)
        self.orders[order.id] = order
        if new.idempotency_key is not None:
            self.keys[(order.tenant_id, new.idempotency_key)] = (new.fingerprint, order.id)
        self.timeline.append((order.id, new.timeline_kind))
        self.published.append((new.event, order.tenant_id, new.event_key))
        return None

    async def save(self, order: Order) -> None:
        self.orders[order.id] = order

    async def add_timeline(
        self,
        order_id: str,
        at: datetime,
        kind: str,
        detail: dict[str, Any],
        event_id: str | None = None,
    ) -> None:
        self.timeline.append((order_id, kind))
        self.details.append((order_id, kind, detail))

    async def last_timeline_detail(self, order_id: str, kind: str) -> dict[str, Any] | None:
        found = [d for o, k, d in self.details if (o, k) == (order_id, kind)]
        return found[-1] if found else None

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        self.published.append((data, tenant_id, key))

    async def shopify_settings(self, tenant_id: str) -> ShopifySettings | None:
        return self.shopify.get(tenant_id)

    async def save_shopify_settings(self, tenant_id: str, settings: ShopifySettings) -> None:
        self.shopify[tenant_id] = settings

    async def shopify_webhook_order(self, tenant_id: str, webhook_id: str) -> str | None:
        return self.webhooks.get((tenant_id, webhook_id))

    async def remember_shopify_webhook(
        self, tenant_id: str, webhook_id: str, order_id: str
    ) -> None:
        self.webhooks.setdefault((tenant_id, webhook_id), order_id)


# A geocoder on a map without addresses: orders that give coordinates never ask it, and any
# address it is asked for is refused.
NO_MAP = Geocoder(AddressIndex(countries=()))
