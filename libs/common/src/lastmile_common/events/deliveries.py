"""The delivery context: route.started, stop.arrived, order.delivered, order.delivery_failed, route.completed."""

from typing import Literal

from pydantic import Field

from lastmile_common.events.base import EventData, GeoPoint, UtcDatetime

FailureReason = Literal[
    "nobody_home", "no_access", "refused", "damaged", "wrong_address", "unsafe", "other"
]


class StartedStop(EventData):
    """An order on a route that just started, with its ETA window and tracking token."""

    order_id: str
    stop_id: str
    eta: UtcDatetime
    eta_window_start: UtcDatetime
    eta_window_end: UtcDatetime
    tracking_token: str | None = None


class RouteStarted(EventData):
    """A vehicle left the depot on a route."""

    route_id: str
    route_version: int = 1
    depot_id: str
    vehicle_id: str
    started_at: UtcDatetime
    stops: tuple[StartedStop, ...] = ()


class StopArrived(EventData):
    """A vehicle arrived at a stop (inside the geofence for the dwell time)."""

    route_id: str
    stop_id: str
    order_id: str
    vehicle_id: str
    arrived_at: UtcDatetime
    planned_arrival: UtcDatetime | None = None
    delay_s: float = 0.0
    location: GeoPoint
    tracking_token: str | None = None


# A reference to a proof that tracking stores ("proof:<proof_id>"); any other reference names
# media kept elsewhere (an integrator's own store).
PROOF_REF_PREFIX = "proof:"


def stored_proof_id(ref: object) -> str | None:
    """The proof id a `proof:` reference names; None for another reference or none."""
    if not isinstance(ref, str) or not ref.startswith(PROOF_REF_PREFIX):
        return None
    return ref.removeprefix(PROOF_REF_PREFIX) or None


class Proof(EventData):
    """Proof of delivery: references to stored media, who took it, where."""

    photo_ref: str | None = None
    signature_ref: str | None = None
    recipient_name: str | None = None
    location: GeoPoint | None = None
    distance_from_address_m: float | None = None
    flagged_far: bool = False


class OrderDelivered(EventData):
    """An order was handed over."""

    order_id: str
    route_id: str
    stop_id: str
    depot_id: str = ""
    delivered_at: UtcDatetime
    proof: Proof
    tracking_token: str | None = None


class OrderDeliveryFailed(EventData):
    """A delivery attempt failed; `next_step` tells the customer what happens now."""

    order_id: str
    route_id: str
    stop_id: str
    depot_id: str = ""
    failed_at: UtcDatetime
    reason_code: FailureReason
    reason: str = ""
    next_step: str = "We will contact you to arrange a new delivery."
    tracking_token: str | None = None


class RouteCompleted(EventData):
    """A vehicle finished its route.

    Published again, for the newer version, when a re-plan added stops to a route that had
    already finished: those orders are listed as unserved, for the planner to place elsewhere.
    """

    route_id: str
    route_version: int = 1
    depot_id: str
    vehicle_id: str
    completed_at: UtcDatetime
    delivered: int = Field(ge=0)
    failed: int = Field(ge=0)
    unserved_order_ids: tuple[str, ...] = ()
