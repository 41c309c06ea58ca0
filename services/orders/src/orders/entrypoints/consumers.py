"""Kafka handlers: integrators' order.submitted, and delivery/notification events for the timeline."""

from __future__ import annotations

from typing import Any

from lastmile_common.db.pool import Connection
from lastmile_common.events import topics
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.orders import OrderSpec
from lastmile_common.kafka.consumer import Handler, PermanentError, Subscription
from lastmile_common.routing import Bounds

from orders.adapters.store import PostgresOrdersStore
from orders.domain.on_map import OutsideMap
from orders.service_layer import handlers
from orders.settings import OrdersSettings

TIMELINE_TYPES = (
    "route.started",
    "stop.arrived",
    "order.delivered",
    "order.delivery_failed",
    "notification.sent",
    "notification.failed",
    "notification.delivered",
)


def submitted_handler(bounds: Bounds) -> Handler:
    """The handler of integrators' order.submitted, refusing points outside the map."""

    async def handle_submitted(conn: Connection, envelope: Envelope) -> None:
        """An integrator's order on Kafka: validated like the HTTP one, keyed by its external id."""
        known = await conn.fetchval("SELECT true FROM tenants WHERE id = $1", envelope.tenant)
        if not known:
            raise PermanentError(f"unknown tenant {envelope.tenant!r}")
        spec = OrderSpec.model_validate(envelope.data.model_dump())
        store = PostgresOrdersStore(conn)
        try:
            await handlers.place_order(store, envelope.tenant, spec, bounds=bounds, source="kafka")
        except handlers.DuplicateExternalId as exc:
            raise PermanentError(
                f"external_id already used by order {exc.order_id} with different content"
            ) from None
        except OutsideMap as exc:  # to the dead-letter topic at once, with the reason
            raise PermanentError(f"{exc.field}: {exc}") from None

    return handle_submitted


async def handle_progress(conn: Connection, envelope: Envelope) -> None:
    """Record a delivery or notification event on the order it names."""
    data: dict[str, Any] = envelope.data.model_dump(mode="json")
    order_id = data.get("order_id")
    if order_id:
        await handlers.record_progress(
            PostgresOrdersStore(conn),
            envelope.tenant,
            order_id,
            envelope.type,
            envelope.time,
            data,
            envelope.id,
        )
        return
    for stop in data.get("stops", ()):  # route.started names its orders in its stops
        await handlers.record_progress(
            PostgresOrdersStore(conn),
            envelope.tenant,
            stop["order_id"],
            envelope.type,
            envelope.time,
            {"route_id": data.get("route_id"), "eta": stop.get("eta")},
            envelope.id,
        )


def subscriptions(settings: OrdersSettings, bounds: Bounds) -> tuple[Subscription, ...]:
    """The orders service's consumers; `bounds`: the map's rectangle orders must lie in."""
    inbound = {"order.submitted": submitted_handler(bounds)}
    return (
        Subscription("orders-inbound", (topics.ORDERS_INBOUND,), inbound),
        Subscription(
            "orders-timeline",
            (topics.DELIVERIES, topics.NOTIFICATIONS),
            dict.fromkeys(TIMELINE_TYPES, handle_progress),
        ),
    )
