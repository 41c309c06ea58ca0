"""The Kafka subscription: translate envelopes into handler calls (no rules here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from lastmile_common.db.pool import Connection
from lastmile_common.events import deliveries, etas, orders, routes
from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.topics import DELIVERIES, ETAS, ORDERS, ROUTES, TENANTS
from lastmile_common.kafka.consumer import Handler, Subscription
from lastmile_common.revocations import REVOCATION_HANDLERS

from notifier.adapters.store import PostgresStore
from notifier.service_layer import handlers
from notifier.service_layer.deps import Deps
from notifier.service_layer.ports import NotifierStore
from notifier.settings import NotifierSettings

E = TypeVar("E", bound=EventData)


def _adapt[E: EventData](
    deps: Deps,
    model: type[E],
    handler: Callable[[NotifierStore, Deps, str, E], Awaitable[None]],
    *,
    batched: bool = False,
) -> Handler:
    async def handle(conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if not isinstance(data, model):
            raise TypeError(f"{envelope.type} carried {type(data).__name__}")
        store = PostgresStore(conn)
        if not batched and deps.batch is not None:
            await deps.batch.flush(store)  # what this event reads includes earlier new orders
        await handler(store, deps, envelope.tenant, data)

    return handle


def subscriptions(settings: NotifierSettings, deps: Deps) -> tuple[Subscription, ...]:
    """The notifier's consumer groups: orders, routes, deliveries and ETAs; revoked API keys
    (so that the notifier's API refuses them too)."""
    return (
        _subscription(deps, settings.consumer_group),
        Subscription("notifier-keys", (TENANTS,), REVOCATION_HANDLERS),
    )


def _subscription(deps: Deps, group: str) -> Subscription:
    return Subscription(
        name=group,
        topics=(ORDERS, ROUTES, DELIVERIES, ETAS),
        handlers={
            "order.created": _adapt(
                deps, orders.OrderCreated, handlers.order_created, batched=True
            ),
            "order.updated": _adapt(deps, orders.OrderUpdated, handlers.order_updated),
            "order.cancelled": _adapt(deps, orders.OrderCancelled, handlers.order_cancelled),
            "route.planned": _adapt(deps, routes.RoutePlanned, handlers.route_planned),
            "route.updated": _adapt(deps, routes.RoutePlanned, handlers.route_planned),
            "route.started": _adapt(deps, deliveries.RouteStarted, handlers.route_started),
            "stop.arrived": _adapt(deps, deliveries.StopArrived, handlers.stop_arrived),
            "order.delivered": _adapt(deps, deliveries.OrderDelivered, handlers.order_delivered),
            "order.delivery_failed": _adapt(
                deps, deliveries.OrderDeliveryFailed, handlers.order_delivery_failed
            ),
            "eta.updated": _adapt(deps, etas.EtaUpdated, handlers.eta_updated),
        },
        hooks=deps.batch,
    )
