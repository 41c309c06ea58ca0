"""Kafka consumers: routes.v1 re-keyed by vehicle; the vehicle group (pings and the re-keyed
route events, co-partitioned) translated into tracker calls."""

from __future__ import annotations

from typing import Protocol

from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.events.routes import RouteCancelled, RoutePlanned
from lastmile_common.events.topics import GPS_PINGS, ROUTES, TENANTS, VEHICLE_ROUTES
from lastmile_common.kafka.consumer import Subscription
from lastmile_common.kafka.subscription import RebalanceHooks
from lastmile_common.revocations import REVOCATION_HANDLERS

from tracking.adapters.ownership import VEHICLE_GROUP
from tracking.adapters.rekeying import forward_route
from tracking.domain.fixes import Fix
from tracking.service_layer import holding
from tracking.service_layer.effects import Batch
from tracking.service_layer.tracker import Tracker
from tracking.settings import TrackingSettings


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


class Fence(RebalanceHooks, Protocol):
    """Partition ownership that can tell, inside a batch's transaction, whether it still holds."""

    def refuse(self) -> None: ...

    async def check(self, conn: Connection) -> None: ...


class BatchWriter:
    """The runner's batch hooks for one consumer group: the tracker's effects of a whole fetch
    written in one statement before COMMIT, and undone in memory if the batch rolls back."""

    def __init__(self, tracker: Tracker, fence: Fence | None = None) -> None:
        self._tracker, self._fence = tracker, fence
        self.batch = Batch()

    def begin(self) -> None:
        """A new transaction: nothing gathered yet; routes changed elsewhere reload now. A
        replica already fenced refuses (`Fenced`) before any handler runs."""
        if self._fence is not None:
            self._fence.refuse()
        self.batch = Batch()
        self._tracker.state.between_batches()
        holding.hold()

    async def before_commit(self, conn: Connection) -> None:
        """Check the batch's partitions are still this replica's (else `Fenced`: the handlers'
        writes roll back), tell the moved vehicles' ETAs, write what the batch changed, then
        let out its ping rows, positions and stream messages."""
        if self._fence is not None:
            await self._fence.check(conn)
        self._tracker.batch_etas(self.batch)
        if self.batch.effects.to_write:
            await self._tracker.write(conn, self.batch.effects)
        holding.release()

    def rolled_back(self) -> None:
        """Undo the batch's changes to the live state; drop its held side effects."""
        holding.discard()
        self.batch.rollback()


def subscriptions(
    settings: TrackingSettings, tracker: Tracker, ownership: Fence | None = None
) -> list[Subscription]:
    """The consumer groups of tracking: route re-keying, vehicles, revoked API keys."""
    pings = BatchWriter(tracker, ownership)

    async def on_route(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, RoutePlanned)
        await tracker.route_planned(conn, envelope.tenant, envelope.data, pings.batch)

    async def on_cancel(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, RouteCancelled)
        await tracker.route_cancelled(conn, envelope.tenant, envelope.data, pings.batch)

    async def on_ping(conn: Connection, envelope: Envelope) -> None:
        ping = envelope.data
        assert isinstance(ping, Ping)
        fixes = [to_fix(ping)]
        await tracker.pings(
            conn, envelope.tenant, ping.vehicle_id, fixes, envelope.time, pings.batch
        )

    async def on_batch(conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        assert isinstance(data, PingBatch)
        # A ping naming another vehicle inside a batch is not this vehicle's position.
        fixes = [to_fix(p) for p in data.pings if p.vehicle_id == data.vehicle_id]
        await tracker.pings(
            conn, envelope.tenant, data.vehicle_id, fixes, envelope.time, pings.batch
        )

    return [
        Subscription(
            name="tracking-routes",
            topics=(ROUTES,),
            handlers=dict.fromkeys(
                ("route.planned", "route.updated", "route.cancelled"), forward_route
            ),
        ),
        # Partition N of both topics on one replica: a vehicle's pings and route events meet.
        Subscription(
            name=VEHICLE_GROUP,
            topics=(GPS_PINGS, VEHICLE_ROUTES),
            handlers={
                "ping": on_ping,
                "ping.batch": on_batch,
                "route.planned": on_route,
                "route.updated": on_route,
                "route.cancelled": on_cancel,
            },
            hooks=pings,
            co_partitioned=True,
            rebalance=ownership,
        ),
        Subscription(name="tracking-keys", topics=(TENANTS,), handlers=REVOCATION_HANDLERS),
    ]
