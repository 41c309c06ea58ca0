"""The console's HTTP side: the page, and JSON snapshots of a tenant's day for it to draw."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse
from lastmile_common.basemap import layer, road_lines
from lastmile_common.events.envelope import Envelope
from lastmile_common.routing.settings import RoutingSettings

from lastmile.console.devices import devices_router
from lastmile.console.feed import EventFeed
from lastmile.console.state import DayState
from lastmile.console.views import snapshot

PAGE = Path(__file__).with_name("page.html")


class Tenants:
    """A DayState per tenant, and which tenant was active last (the page's default)."""

    def __init__(self) -> None:
        self.days: dict[str, DayState] = {}
        self.latest: str | None = None

    def apply(self, envelope: Envelope) -> None:
        """Route one event to its tenant's day."""
        day = self.days.get(envelope.tenant)
        if day is None:
            day = self.days[envelope.tenant] = DayState(envelope.tenant)
        day.apply(envelope)
        if envelope.type == "order.created":
            self.latest = envelope.tenant


def create_app(kafka_bootstrap: str, services: dict[str, str]) -> FastAPI:
    """The console app reading the platform's topics from `kafka_bootstrap`."""
    tenants = Tenants()
    feed = EventFeed(kafka_bootstrap, tenants.apply, name="console")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await feed.start()
        try:
            yield
        finally:
            await feed.stop()

    extract = RoutingSettings().map_file
    return console_app(
        tenants, services, lifespan=lifespan, events=lambda: feed.events, extract=extract
    )


def console_app(
    tenants: Tenants,
    services: dict[str, str],
    *,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    events: Callable[[], int] = lambda: 0,
    extract: Path | None = None,
) -> FastAPI:
    """The console's routes over days already folded (or being folded by a feed); `extract`:
    the map extract whose roads the page draws as its base layer."""
    app = FastAPI(title="lastmile dispatcher console", lifespan=lifespan)
    app.add_middleware(GZipMiddleware, minimum_size=4096)
    has_map = extract is not None and extract.is_file()

    @app.get("/livez")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> dict[str, Any]:
        return {"status": "ok", "events": events()}

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    @app.get("/api/basemap")
    async def basemap() -> dict[str, Any]:
        """The streets under the routes, read from the platform's own map extract."""
        if extract is None or not has_map:
            raise HTTPException(404, "no map extract configured")
        # Read once per process (about a second), off the event loop.
        return layer(await asyncio.to_thread(road_lines, extract))

    @app.get("/api/tenants")
    async def list_tenants() -> dict[str, Any]:
        return {
            "latest": tenants.latest,
            "tenants": [
                {"tenant_id": t, "orders": len(d.orders), "routes": len(d.routes)}
                for t, d in tenants.days.items()
                if d.orders
            ],
        }

    @app.get("/api/day")
    async def day(tenant: str | None = None) -> dict[str, Any]:
        chosen = tenant or tenants.latest
        if chosen is None or chosen not in tenants.days:
            if tenant is not None:
                raise HTTPException(404, f"no events of tenant {tenant!r} yet")
            return {"tenant_id": None, "waiting": True}
        return snapshot(tenants.days[chosen], services)

    app.include_router(devices_router(services))
    return app
