"""Wiring: the orders app with its routers and consumers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.routing import RoutingSettings, map_bounds
from lastmile_common.runtime import Runtime
from starlette.datastructures import State

from orders.adapters.geocoder import load_geocoder
from orders.entrypoints import consumers, http_import, http_orders, http_shopify
from orders.entrypoints.deps import key_cache
from orders.service_layer.locating import AddressPlacer
from orders.settings import OrdersSettings

SERVICE = "orders"
MIGRATIONS = "orders.migrations"
DESCRIPTION = """Integrators submit orders here (HTTP, bulk import, Shopify webhook, or the
`orders.inbound.v1` topic). Accepted orders are stored and published on `orders.v1`."""


class Geocoding:
    """The address index orders places addresses with; routes find it on `app.state.geocoder`."""

    name = "geocoding"

    def __init__(self, settings: OrdersSettings) -> None:
        self._settings = settings
        self.geocoder: AddressPlacer | None = None

    @asynccontextmanager
    async def run(self, runtime: Runtime, state: State) -> AsyncIterator[None]:
        """Load the index (seconds for a country's extract the first time, then cached)."""
        self.geocoder = await asyncio.to_thread(
            load_geocoder, self._settings.geocoding, self._settings.geocode_min_precision
        )
        state.geocoder = self.geocoder
        yield

    async def ready(self) -> bool:
        """The index is loaded."""
        return self.geocoder is not None

    def placer(self) -> AddressPlacer:
        """The loaded geocoder (for the consumers, declared once components run)."""
        assert self.geocoder is not None, "the geocoding component has not started"
        return self.geocoder


def create_app(settings: OrdersSettings, *, routing: RoutingSettings | None = None) -> FastAPI:
    """The orders service app; orders outside the map of `routing` (default: `ROUTING_*`, the
    `ROUTING_BOUNDS` setting or the map file's header) are refused."""
    bounds = map_bounds(routing or RoutingSettings())
    geocoding = Geocoding(settings)
    app = create_service_app(
        SERVICE,
        settings,
        [http_import.router, http_orders.router, http_shopify.router],
        migrations=MIGRATIONS,
        components=[geocoding],
        subscriptions=lambda: consumers.subscriptions(settings, bounds, geocoding.placer()),
        title="lastmile orders",
        description=DESCRIPTION,
        body_limit_exempt=("/v1/orders/import",),
    )
    app.state.key_cache = key_cache()
    app.state.map_bounds = bounds
    return app
