"""Wiring: settings in, a FastAPI app out, whose lifespan runs the tracker and its consumers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from lastmile_common.basemap import road_lines
from lastmile_common.http.app import create_service_app
from lastmile_common.routing import RoutingSettings, open_router
from lastmile_common.runtime import Runtime, settle_heap
from starlette.datastructures import State

from tracking.adapters import proof_keeping
from tracking.adapters.broadcast import Broadcaster
from tracking.adapters.ownership import Ownership
from tracking.adapters.ping_writer import PingWriter
from tracking.adapters.roads import RoadTravel
from tracking.adapters.route_news import RouteNews
from tracking.adapters.store import PgStore
from tracking.entrypoints import (
    consumers,
    http_devices,
    http_dispatch,
    http_driver,
    http_pings,
    http_proofs,
    http_stops,
    http_track,
)
from tracking.service_layer.config import TrackerConfig, config_from
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.settings import TrackingSettings

SERVICE = "tracking"
MIGRATIONS = "tracking.migrations"
log = logging.getLogger(__name__)


class Tracking:
    """The tracker, recovered from the database before the first event, and its ping writer
    (flushed on exit, after the consumers stopped and before the pool closes)."""

    name = "tracker"

    def __init__(
        self,
        settings: TrackingSettings,
        config: TrackerConfig,
        broadcaster: Broadcaster,
        routing: RoutingSettings,
    ) -> None:
        self._settings, self._config, self._broadcaster = settings, config, broadcaster
        self._routing = routing
        self._tracker: Tracker | None = None
        self._writer: PingWriter | None = None
        self._ownership: Ownership | None = None

    @property
    def tracker(self) -> Tracker:
        """The running tracker (the consumers are declared once it exists)."""
        if self._tracker is None:
            raise RuntimeError("the tracker runs only inside the app's lifespan")
        return self._tracker

    @property
    def ownership(self) -> Ownership:
        """Which vehicles this replica follows (the vehicle group's rebalance hooks)."""
        if self._ownership is None:
            raise RuntimeError("the tracker runs only inside the app's lifespan")
        return self._ownership

    @asynccontextmanager
    async def run(self, runtime: Runtime, state: State) -> AsyncIterator[None]:
        """Start the ping writer; the live state is loaded per partition as they are assigned.
        Publish the tracker, the writer and the ownership on `state`."""
        settings = self._settings
        live = TrackingState(filter_config=self._config.filter)
        writer = PingWriter(
            runtime.pool,
            SERVICE,
            interval_s=settings.ping_flush_interval_s,
            max_rows=settings.ping_flush_rows,
            retention_days=settings.ping_retention_days,
        )
        router = await asyncio.to_thread(open_router, self._routing)
        # The customer page's street map: the extract's roads, where this process has the file
        # (an http road engine may run without it: then no streets, as before).
        extract = self._routing.map_file
        state.streets = await asyncio.to_thread(road_lines, extract) if extract.is_file() else ()
        roads = RoadTravel(router, self._config.travel)
        tracker = Tracker(live, PgStore(), writer, self._broadcaster, self._config, roads)
        ownership = Ownership(live, runtime.pool, writer, settings.token_ttl_after_route_s)
        news = RouteNews(live)
        await writer.start()
        settle_heap()
        state.tracker, state.ping_writer, state.ownership = tracker, writer, ownership
        state.route_news = news
        self._tracker, self._writer, self._ownership = tracker, writer, ownership
        try:
            async with news.listening(runtime.pool):
                yield
        finally:
            await writer.stop()  # writes what is buffered
            router.close()

    async def ready(self) -> bool:
        """The ping writer's loop is alive."""
        return self._writer is not None and self._writer.running


def create_app(settings: TrackingSettings, routing: RoutingSettings | None = None) -> FastAPI:
    """The tracking service app; `routing` (default: from `ROUTING_*`) says where roads come
    from: ETAs, off-route and maps follow them (the map is loaded at start)."""
    broadcaster = Broadcaster()
    tracking = Tracking(settings, config_from(settings), broadcaster, routing or RoutingSettings())
    app = create_service_app(
        SERVICE,
        settings,
        [
            http_devices.router,
            http_pings.router,
            http_stops.router,
            http_track.router,
            http_dispatch.router,
            http_driver.router,
            http_proofs.router,
        ],
        body_limit_exempt=(http_proofs.PREFIX,),
        migrations=MIGRATIONS,
        components=[tracking, proof_keeping.ProofKeeping(settings)],
        subscriptions=lambda: consumers.subscriptions(
            settings, tracking.tracker, tracking.ownership
        ),
        title="lastmile tracking",
        description="GPS pings to route progress, arrivals, deliveries and ETAs.",
    )
    app.state.broadcaster = broadcaster
    http_driver.mount_driver_app(app)
    return app
