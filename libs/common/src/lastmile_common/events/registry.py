"""The registry from event type to topic and data model: the single source of the event contract."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from lastmile_common.events import (
    deliveries,
    etas,
    notifications,
    orders,
    pings,
    routes,
    tenants,
    topics,
)
from lastmile_common.events.base import EventData


@dataclass(frozen=True)
class EventType:
    """A stable event type string, the topic it travels on and the model of its data."""

    type: str
    topic: str
    model: builtins.type[EventData]
    summary: str


_TYPES = (
    EventType(
        "order.submitted",
        topics.ORDERS_INBOUND,
        orders.OrderSubmitted,
        "An integrator's order, not yet validated.",
    ),
    EventType("order.created", topics.ORDERS, orders.OrderCreated, "An order was accepted."),
    EventType("order.updated", topics.ORDERS, orders.OrderUpdated, "An accepted order changed."),
    EventType("order.cancelled", topics.ORDERS, orders.OrderCancelled, "An order was cancelled."),
    EventType(
        "plan.completed",
        topics.ROUTES,
        routes.PlanCompleted,
        "A plan finished, with unassigned orders and reasons.",
    ),
    EventType("route.planned", topics.ROUTES, routes.RoutePlanned, "A route was planned."),
    EventType("route.updated", topics.ROUTES, routes.RouteUpdated, "A route was re-planned."),
    EventType("route.cancelled", topics.ROUTES, routes.RouteCancelled, "A route was cancelled."),
    EventType("ping", topics.GPS_PINGS, pings.Ping, "One GPS position of a vehicle."),
    EventType("ping.batch", topics.GPS_PINGS, pings.PingBatch, "Several GPS positions."),
    EventType(
        "route.started", topics.DELIVERIES, deliveries.RouteStarted, "A vehicle left the depot."
    ),
    EventType(
        "stop.arrived", topics.DELIVERIES, deliveries.StopArrived, "A vehicle arrived at a stop."
    ),
    EventType(
        "order.delivered",
        topics.DELIVERIES,
        deliveries.OrderDelivered,
        "An order was delivered, with proof.",
    ),
    EventType(
        "order.delivery_failed",
        topics.DELIVERIES,
        deliveries.OrderDeliveryFailed,
        "A delivery attempt failed, with the reason.",
    ),
    EventType(
        "route.completed",
        topics.DELIVERIES,
        deliveries.RouteCompleted,
        "A vehicle finished its route.",
    ),
    EventType("eta.updated", topics.ETAS, etas.EtaUpdated, "A new ETA for an order."),
    EventType(
        "notification.sent",
        topics.NOTIFICATIONS,
        notifications.NotificationSent,
        "A customer message was sent.",
    ),
    EventType(
        "notification.failed",
        topics.NOTIFICATIONS,
        notifications.NotificationFailed,
        "A customer message failed for good.",
    ),
    EventType(
        "notification.delivered",
        topics.NOTIFICATIONS,
        notifications.NotificationDelivered,
        "A customer message was delivered.",
    ),
    EventType(
        "api_key.revoked",
        topics.TENANTS,
        tenants.ApiKeyRevoked,
        "A tenant's API key was revoked; every service refuses it from now on.",
    ),
)

REGISTRY: dict[str, EventType] = {entry.type: entry for entry in _TYPES}
_BY_MODEL: dict[type[EventData], EventType] = {entry.model: entry for entry in _TYPES}


class UnknownEventType(KeyError):
    """An event type the registry does not know."""


def lookup(event_type: str) -> EventType:
    """The registry entry of an event type."""
    try:
        return REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def type_of(data: EventData) -> EventType:
    """The registry entry of an event data instance."""
    try:
        return _BY_MODEL[type(data)]
    except KeyError:
        raise UnknownEventType(type(data).__name__) from None


def types_on(topic: str) -> list[EventType]:
    """Every event type that travels on a topic."""
    return [entry for entry in _TYPES if entry.topic == topic]
