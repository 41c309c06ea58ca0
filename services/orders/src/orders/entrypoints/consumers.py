"""Kafka handlers: integrators' order.submitted, and delivery/notification events for the timeline."""

from __future__ import annotations

from typing import Any

from lastmile_common.db.pool import Connection
from lastmile_common.events import topics
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.orders import OrderRequest
from lastmile_common.kafka.consumer import Handler, PermanentError, Subscription
from lastmile_common.routing import Bounds

from orders.adapters.store import PostgresOrdersStore
from orders.domain.geocoding import AddressNotPlaced
from orders.domain.on_map import OutsideMap
from orders.service_layer import handlers
from orders.service_layer.locating import AddressPlacer
from orders.service_layer.submitted import UnknownTenant, place_submitted
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


def submitted_handler(bounds: Bounds, geocoder: AddressPlacer) -> Handler:
    """The handler of integrators' order.submitted: addresses placed with `geocoder`, points
    outside the map refused."""

    async def handle_submitted(conn: Connection, envelope: Envelope) -> None:
        """An integrator's order on Kafka: validated and geocoded like the HTTP one."""
        request = OrderRequest.model_validate(envelope.data.model_dump())
        try:
            await place_submitted(
                PostgresOrdersStore(conn),
                envelope.tenant,
                request,
                bounds=bounds,
                geocoder=geocoder,
            )
        except UnknownTenant as exc:
            raise PermanentError(str(exc)) from None
        except AddressNotPlaced as exc:  # to the dead-letter topic at once, with the reason
            raise PermanentError(f"address: {exc}") from None
        except handlers.DuplicateExternalId as exc:
            raise PermanentError(
                f"external_id already used by order {exc.order_id} with different content"
            ) from None
        except OutsideMap as exc:  # to the dead-letter topic at once, with the reason
            raise PermanentError(f"{exc.field}: {exc}") from None

    return handle_submitted


async def handle_plan_completed(conn: Connection, envelope: Envelope) -> None:
    """The planner's reason for each order a plan (or re-plan) left out, on that order's timeline."""
    data = envelope.data.model_dump(mode="json")
    for unassigned in data.get("unassigned", ()):
        await handlers.record_unassigned(
            PostgresOrdersStore(conn),
            envelope.tenant,
            unassigned["order_id"],
            envelope.time,
            {
                "plan_id": data["plan_id"],
                "service_date": data["service_date"],
                "reason_code": unassigned["reason_code"],
                "reason": unassigned["reason"],
            },
            envelope.id,
        )


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


def subscriptions(
    settings: OrdersSettings, bounds: Bounds, geocoder: AddressPlacer
) -> tuple[Subscription, ...]:
    """The orders service's consumers; `bounds`: the map's rectangle orders must lie in;
    `geocoder`: places addresses sent without coordinates."""
    inbound = {"order.submitted": submitted_handler(bounds, geocoder)}
    return (
        Subscription("orders-inbound", (topics.ORDERS_INBOUND,), inbound),
        Subscription(
            "orders-timeline",
            (topics.DELIVERIES, topics.NOTIFICATIONS, topics.ROUTES),
            {
                **dict.fromkeys(TIMELINE_TYPES, handle_progress),
                "plan.completed": handle_plan_completed,
            },
        ),
    )
