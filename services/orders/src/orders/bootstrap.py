"""Wiring: the orders app with its routers and consumers."""

from __future__ import annotations

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.routing import RoutingSettings, map_bounds

from orders.entrypoints import consumers, http_import, http_orders, http_shopify
from orders.entrypoints.deps import key_cache
from orders.settings import OrdersSettings

SERVICE = "orders"
MIGRATIONS = "orders.migrations"
DESCRIPTION = """Integrators submit orders here (HTTP, bulk import, Shopify webhook, or the
`orders.inbound.v1` topic). Accepted orders are stored and published on `orders.v1`."""


def create_app(settings: OrdersSettings, *, routing: RoutingSettings | None = None) -> FastAPI:
    """The orders service app; orders outside the map of `routing` (default: `ROUTING_*`, the
    `ROUTING_BOUNDS` setting or the map file's header) are refused."""
    bounds = map_bounds(routing or RoutingSettings())
    app = create_service_app(
        SERVICE,
        settings,
        [http_import.router, http_orders.router, http_shopify.router],
        migrations=MIGRATIONS,
        subscriptions=lambda: consumers.subscriptions(settings, bounds),
        title="lastmile orders",
        description=DESCRIPTION,
        body_limit_exempt=("/v1/orders/import",),
    )
    app.state.key_cache = key_cache()
    app.state.map_bounds = bounds
    return app
