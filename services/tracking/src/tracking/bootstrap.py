"""Wiring: settings in, a FastAPI app out, whose lifespan starts the runtime and the tracker."""

from __future__ import annotations

import logging
from typing import cast

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.kafka.consumer import ConsumerRunner, Subscription
from lastmile_common.runtime import Runtime, settle_heap, start_runtime

from tracking.adapters.broadcast import Broadcaster
from tracking.adapters.ping_writer import PingWriter
from tracking.adapters.recovery import recover
from tracking.adapters.store import PgStore
from tracking.entrypoints import http_dispatch, http_driver, http_pings, http_stops, http_track
from tracking.entrypoints.kafka import subscriptions
from tracking.service_layer.config import config_from
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.settings import TrackingSettings

SERVICE = "tracking"
MIGRATIONS = "tracking.migrations"
log = logging.getLogger(__name__)


class _WriterStop:
    """Lets `stop_runtime` flush the ping writer after the consumers stopped, before the pool
    closes: it stops the runtime's `runners` in order, so the writer goes last among them."""

    name = "tracking-ping-writer"

    def __init__(self, writer: PingWriter) -> None:
        self._writer = writer

    @property
    def healthy(self) -> bool:
        """The writer's loop is alive."""
        return self._writer.running

    async def stop(self) -> None:
        """Write what is buffered."""
        await self._writer.stop()


async def _start_consumers(
    runtime: Runtime, subs: list[Subscription], settings: TrackingSettings
) -> None:
    for subscription in subs:
        runner = ConsumerRunner(subscription, runtime.pool, runtime.producer, settings.kafka())
        await runner.start()
        runtime.runners.append(runner)


def create_app(settings: TrackingSettings) -> FastAPI:
    """The tracking service app."""
    config = config_from(settings)
    broadcaster = Broadcaster()

    async def start(app: FastAPI) -> Runtime:
        state = TrackingState(filter_config=config.filter)
        # The runtime migrates and opens the pool before consumers start; the tracker must
        # exist (and be recovered) before the first event, so the consumers come last.
        runtime = await start_runtime(SERVICE, settings, MIGRATIONS, ())
        writer = PingWriter(
            runtime.pool,
            SERVICE,
            interval_s=settings.ping_flush_interval_s,
            max_rows=settings.ping_flush_rows,
            retention_days=settings.ping_retention_days,
        )
        tracker = Tracker(state, PgStore(), writer, broadcaster, config)
        async with runtime.pool.acquire() as conn:
            counts = await recover(conn, state, settings.token_ttl_after_route_s)
        log.info("tracking state recovered", extra=counts)
        await writer.start()
        settle_heap()  # the recovered routes and vehicles are long-lived
        app.state.tracker = tracker
        app.state.ping_writer = writer
        await _start_consumers(runtime, subscriptions(tracker), settings)
        runtime.runners.append(cast(ConsumerRunner, _WriterStop(writer)))
        return runtime

    app = create_service_app(
        SERVICE,
        settings,
        start,
        [
            http_pings.router,
            http_stops.router,
            http_track.router,
            http_dispatch.router,
            http_driver.router,
        ],
        title="lastmile tracking",
        description="GPS pings to route progress, arrivals, deliveries and ETAs.",
    )
    app.state.broadcaster = broadcaster
    http_driver.mount_driver_app(app)

    return app
