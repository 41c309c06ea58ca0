"""One contract for the OrdersStore port, run against the in-memory fake (unit) and the
PostgreSQL store (integration): a fake that passes it may stand in for the real one."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from lastmile_common.events.orders import OrderSpec
from orders.domain.model import Order
from orders.domain.shopify import ShopifySettings
from orders.service_layer.ports import NewOrder, OrdersStore

BODY: dict[str, Any] = {
    "depot_id": "d1",
    "recipient": {"name": "Ada", "phone": "+4915112345678"},
    "address": {
        "line1": "Kirchstrasse 1",
        "city": "Vaduz",
        "country": "LI",
        "location": {"lat": 47.1367, "lon": 9.5188},
    },
    "windows": [{"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T12:00:00Z"}],
    "items": [{"sku": "A", "quantity": 2, "weight_kg": 1.5}],
}


def new_order(tenant_id: str, external_id: str | None = None, key: str | None = None) -> NewOrder:
    """A create as the use case builds it."""
    spec = OrderSpec.model_validate({**BODY, "external_id": external_id or uuid.uuid4().hex})
    order = Order.accept(tenant_id, spec)
    return NewOrder(
        order=order,
        fingerprint=f"fp-{spec.external_id}",
        idempotency_key=key,
        timeline_kind="order.created",
        timeline_detail={"source": "contract"},
        event=order.created_event(),
        event_key=spec.depot_id,
    )


class OrdersStoreContract:
    """The tests; a subclass provides `store` (a fresh store) and `tenants` (two tenant ids)."""

    async def test_an_added_order_is_found_only_by_its_tenant(
        self, store: OrdersStore, tenants: tuple[str, str]
    ) -> None:
        mine, other = tenants
        new = new_order(mine)
        assert await store.add_unless_known(new) is None
        found = await store.get(mine, new.order.id)
        assert found is not None and found.id == new.order.id
        assert found.spec == new.order.spec and found.status == new.order.status
        assert await store.get(other, new.order.id) is None
        anyone = await store.get_any(new.order.id)
        assert anyone is not None and anyone.tenant_id == mine
        assert await store.get_any("no-such-order") is None

    async def test_a_known_key_names_its_order_and_the_fingerprint_stored_for_it(
        self, store: OrdersStore, tenants: tuple[str, str]
    ) -> None:
        mine, _ = tenants
        first = new_order(mine, key="k1")
        assert await store.add_unless_known(first) is None
        again = new_order(mine, key="k1")  # another body, same key
        known = await store.add_unless_known(again)
        assert known is not None
        assert (known.order.id, known.key_fingerprint) == (first.order.id, first.fingerprint)
        assert await store.get(mine, again.order.id) is None

    async def test_a_known_external_id_names_its_order_per_tenant(
        self, store: OrdersStore, tenants: tuple[str, str]
    ) -> None:
        mine, other = tenants
        first = new_order(mine, external_id="E-1")
        assert await store.add_unless_known(first) is None
        known = await store.add_unless_known(new_order(mine, external_id="E-1"))
        assert known is not None
        assert (known.order.id, known.key_fingerprint) == (first.order.id, None)
        assert await store.add_unless_known(new_order(other, external_id="E-1")) is None

    async def test_a_saved_order_is_read_back_changed(
        self, store: OrdersStore, tenants: tuple[str, str]
    ) -> None:
        mine, _ = tenants
        new = new_order(mine)
        await store.add_unless_known(new)
        cancelled = new.order.cancel()
        await store.save(cancelled)
        found = await store.get(mine, new.order.id)
        assert found is not None
        assert (found.status, found.version) == (cancelled.status, cancelled.version)

    async def test_shopify_settings_and_webhooks_are_per_tenant(
        self, store: OrdersStore, tenants: tuple[str, str]
    ) -> None:
        mine, other = tenants
        assert await store.shopify_settings(mine) is None
        settings = ShopifySettings("acme.myshopify.com", "shpss_x", "d1", "Europe/Berlin")
        await store.save_shopify_settings(mine, settings)
        assert await store.shopify_settings(mine) == settings
        assert await store.shopify_settings(other) is None
        new = new_order(mine)
        await store.add_unless_known(new)
        assert await store.shopify_webhook_order(mine, "w1") is None
        await store.remember_shopify_webhook(mine, "w1", new.order.id)
        assert await store.shopify_webhook_order(mine, "w1") == new.order.id
        assert await store.shopify_webhook_order(other, "w1") is None

    async def test_the_latest_timeline_detail_of_a_kind_is_found(
        self, store: OrdersStore, tenants: tuple[str, str]
    ) -> None:
        mine, _ = tenants
        new = new_order(mine)
        await store.add_unless_known(new)
        assert await store.last_timeline_detail(new.order.id, "order.unassigned") is None
        at = new.order.created_at
        for minute, code in ((1, "too_heavy"), (2, "fleet_full")):
            detail = {"reason_code": code}
            await store.add_timeline(
                new.order.id, at + timedelta(minutes=minute), "order.unassigned", detail
            )
        await store.add_timeline(new.order.id, at + timedelta(minutes=3), "route.started", {})
        found = await store.last_timeline_detail(new.order.id, "order.unassigned")
        assert found == {"reason_code": "fleet_full"}
