"""Wiring: the orders app with its routers, consumers and runtime."""

from __future__ import annotations

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app

from orders.entrypoints import consumers, http_import, http_orders, http_shopify
from orders.entrypoints.deps import key_cache
from orders.settings import OrdersSettings

SERVICE = "orders"
MIGRATIONS = "orders.migrations"
DESCRIPTION = """Integrators submit orders here (HTTP, bulk import, Shopify webhook, or the
`orders.inbound.v1` topic). Accepted orders are stored and published on `orders.v1`."""


def create_app(settings: OrdersSettings) -> FastAPI:
    """The orders service app."""
    app = create_service_app(
        SERVICE,
        settings,
        [http_import.router, http_orders.router, http_shopify.router],
        migrations=MIGRATIONS,
        subscriptions=lambda: consumers.subscriptions(settings),
        title="lastmile orders",
        description=DESCRIPTION,
        body_limit_exempt=("/v1/orders/import",),
    )
    app.state.key_cache = key_cache()
    return app
