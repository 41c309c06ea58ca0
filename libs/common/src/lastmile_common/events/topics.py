"""Topic names of the platform and their default partition counts."""

from dataclasses import dataclass

ORDERS_INBOUND = "orders.inbound.v1"
ORDERS = "orders.v1"
ROUTES = "routes.v1"
GPS_PINGS = "gps.pings.v1"
DELIVERIES = "deliveries.v1"
ETAS = "etas.v1"
NOTIFICATIONS = "notifications.v1"
TENANTS = "tenants.v1"
# Internal to tracking: route events re-keyed by vehicle (see docs/architecture.md).
VEHICLE_ROUTES = "tracking.vehicle-routes.v1"

DLT_SUFFIX = ".dlt"


@dataclass(frozen=True)
class TopicSpec:
    """A topic, its partition count and retention, and the key its producers use."""

    name: str
    partitions: int
    key: str
    retention_hours: int = 168
    # An internal topic read in one group with this topic: always as many partitions as it.
    partitioned_as: str | None = None
    # An internal topic carrying this public topic's events, re-keyed.
    carries: str | None = None


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(ORDERS_INBOUND, 6, "tenant id + external id"),
    TopicSpec(ORDERS, 6, "depot id"),
    TopicSpec(ROUTES, 6, "depot id"),
    TopicSpec(GPS_PINGS, 12, "vehicle id", retention_hours=24),
    TopicSpec(DELIVERIES, 6, "order id (route id for route events)"),
    TopicSpec(ETAS, 6, "order id", retention_hours=24),
    TopicSpec(NOTIFICATIONS, 6, "order id"),
    # Kept a year: a service whose schema is created later still learns every revocation
    # of keys that can still be in use (see docs/architecture.md, "API keys").
    TopicSpec(TENANTS, 3, "tenant id", retention_hours=24 * 365),
)


# One service's own topics: not part of the public contract (no schema, no AsyncAPI channel).
INTERNAL_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(VEHICLE_ROUTES, 12, "vehicle id", partitioned_as=GPS_PINGS, carries=ROUTES),
)


def dlt_of(topic: str) -> str:
    """The dead-letter topic of a topic."""
    return topic + DLT_SUFFIX


def all_topic_names() -> list[str]:
    """Every topic and its dead-letter twin."""
    return [name for spec in TOPICS for name in (spec.name, dlt_of(spec.name))]
