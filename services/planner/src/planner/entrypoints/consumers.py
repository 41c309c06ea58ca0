"""Kafka handlers: orders.v1 into the pending set, deliveries.v1 into stop progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lastmile_common.db.pool import Connection
from lastmile_common.events import topics
from lastmile_common.events.deliveries import (
    OrderDelivered,
    OrderDeliveryFailed,
    RouteCompleted,
    RouteStarted,
    StopArrived,
)
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.orders import OrderCancelled, OrderSnapshot
from lastmile_common.kafka.consumer import Handler, Subscription
from lastmile_common.revocations import REVOCATION_HANDLERS

from planner.adapters.unit_of_work import PostgresUnitOfWork
from planner.entrypoints.deps import utc_now
from planner.service_layer import pending
from planner.settings import PlannerSettings


def subscriptions(
    settings: PlannerSettings, clock: Callable[[], datetime] = utc_now
) -> tuple[Subscription, ...]:
    """The planner's consumer groups: orders, deliveries, revoked API keys."""
    return (
        Subscription("planner-orders", (topics.ORDERS,), _order_handlers(clock)),
        Subscription(
            "planner-deliveries",
            (topics.DELIVERIES,),
            _delivery_handlers(clock, settings.late_threshold_s),
        ),
        Subscription("planner-keys", (topics.TENANTS,), REVOCATION_HANDLERS),
    )


def _order_handlers(clock: Callable[[], datetime]) -> dict[str, Handler]:
    async def on_order(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, OrderSnapshot)
        await pending.record_order(
            PostgresUnitOfWork(conn), envelope.tenant, envelope.data, clock(), envelope.type
        )

    async def on_cancelled(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, OrderCancelled)
        await pending.cancel_order(
            PostgresUnitOfWork(conn), envelope.tenant, envelope.data, clock()
        )

    return {"order.created": on_order, "order.updated": on_order, "order.cancelled": on_cancelled}


def _delivery_handlers(
    clock: Callable[[], datetime], late_threshold_s: float
) -> dict[str, Handler]:
    async def on_started(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, RouteStarted)
        await pending.route_started(
            PostgresUnitOfWork(conn), envelope.tenant, envelope.data.route_id
        )

    async def on_arrived(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, StopArrived)
        await pending.stop_arrived(
            PostgresUnitOfWork(conn), envelope.tenant, envelope.data, clock(), late_threshold_s
        )

    async def on_served(conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        assert isinstance(data, OrderDelivered | OrderDeliveryFailed)
        await pending.order_served(PostgresUnitOfWork(conn), envelope.tenant, data)

    async def on_completed(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, RouteCompleted)
        await pending.route_completed(
            PostgresUnitOfWork(conn), envelope.tenant, envelope.data, clock()
        )

    return {
        "route.started": on_started,
        "stop.arrived": on_arrived,
        "order.delivered": on_served,
        "order.delivery_failed": on_served,
        "route.completed": on_completed,
    }
