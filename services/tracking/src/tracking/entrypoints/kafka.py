"""Kafka consumers: routes.v1 and gps.pings.v1 events translated into tracker calls."""

from __future__ import annotations

from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.events.routes import RouteCancelled, RoutePlanned
from lastmile_common.events.topics import GPS_PINGS, ROUTES
from lastmile_common.kafka.consumer import Subscription

from tracking.domain.fixes import Fix
from tracking.service_layer.tracker import Tracker


def to_fix(ping: Ping) -> Fix:
    """A contract ping as a domain fix."""
    return Fix(
        ping.time,
        ping.lat,
        ping.lon,
        ping.accuracy_m,
        ping.speed_mps,
        ping.heading_deg,
        ping.battery,
        ping.driver_id,
    )


def subscriptions(tracker: Tracker) -> list[Subscription]:
    """The two consumer groups of tracking."""

    async def on_route(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, RoutePlanned)
        await tracker.route_planned(conn, envelope.tenant, envelope.data)

    async def on_cancel(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, RouteCancelled)
        await tracker.route_cancelled(conn, envelope.tenant, envelope.data)

    async def on_ping(conn: Connection, envelope: Envelope) -> None:
        ping = envelope.data
        assert isinstance(ping, Ping)
        await tracker.pings(conn, envelope.tenant, ping.vehicle_id, [to_fix(ping)], envelope.time)

    async def on_batch(conn: Connection, envelope: Envelope) -> None:
        batch = envelope.data
        assert isinstance(batch, PingBatch)
        # A ping naming another vehicle inside a batch is not this vehicle's position.
        fixes = [to_fix(p) for p in batch.pings if p.vehicle_id == batch.vehicle_id]
        await tracker.pings(conn, envelope.tenant, batch.vehicle_id, fixes, envelope.time)

    return [
        Subscription(
            name="tracking-routes",
            topics=(ROUTES,),
            handlers={
                "route.planned": on_route,
                "route.updated": on_route,
                "route.cancelled": on_cancel,
            },
        ),
        Subscription(
            name="tracking-pings",
            topics=(GPS_PINGS,),
            handlers={"ping": on_ping, "ping.batch": on_batch},
        ),
    ]
