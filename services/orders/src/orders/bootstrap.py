"""Wiring: the orders app with its routers, consumers and runtime."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.routing import RoutingSettings, map_bounds
from lastmile_common.runtime import Runtime, start_runtime

from orders.adapters.geocoder import load_geocoder
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

    async def start(app: FastAPI) -> Runtime:
        # Seconds for a country's extract the first time; then read from the index cache.
        geocoder = await asyncio.to_thread(
            load_geocoder, settings.geocoding, settings.geocode_min_precision
        )
        app.state.geocoder = geocoder
        subscriptions = consumers.subscriptions(bounds, geocoder)
        return await start_runtime(SERVICE, settings, MIGRATIONS, subscriptions)

    app = create_service_app(
        SERVICE,
        settings,
        start,
        [http_import.router, http_orders.router, http_shopify.router],
        title="lastmile orders",
        description=DESCRIPTION,
        body_limit_exempt=("/v1/orders/import",),
    )
    app.state.key_cache = key_cache()
    app.state.map_bounds = bounds
    return app
