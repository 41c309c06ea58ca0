"""A driver completes a stop: delivered with proof, or failed with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from lastmile_common.events import deliveries
from lastmile_common.events.base import GeoPoint

from tracking.domain import progress as prog
from tracking.domain.proof import distance_check
from tracking.domain.route import RouteState, RouteStatus, StopState
from tracking.service_layer.effects import Effects, emit_completed
from tracking.service_layer.proofs import Proofs
from tracking.service_layer.route_changes import route_to_change, tell_and_write
from tracking.service_layer.tracker import Tracker


class StopNotFound(LookupError):
    """No such route or stop for this tenant."""


class StopAlreadyCompleted(RuntimeError):
    """The stop was already delivered or failed, or the route is over."""


@dataclass(frozen=True)
class CompleteStop:
    """The driver's completion of one stop."""

    tenant_id: str
    route_id: str
    stop_id: str
    outcome: Literal["delivered", "failed"]
    at: datetime
    photo_ref: str | None = None
    signature_ref: str | None = None
    recipient_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    reason_code: deliveries.FailureReason = "other"
    reason: str = ""
    vehicle_id: str | None = None  # set when a device token made the call


async def complete_stop(
    tracker: Tracker, conn: Any, cmd: CompleteStop, proofs: Proofs | None = None
) -> dict[str, Any]:
    """Record the completion, publish order.delivered / order.delivery_failed; return a summary.

    Uploaded proofs (`proof:` references) must be this stop's; they are marked attached."""
    route, stop = await _open_stop(tracker, conn, cmd)
    delivered = cmd.outcome == "delivered"
    if delivered and proofs is not None:
        refs = {"photo": cmd.photo_ref, "signature": cmd.signature_ref}
        await proofs.attach(conn, cmd.tenant_id, route.route_id, stop.stop_id, refs)
    happened = prog.resolve_stop(route, stop, delivered, cmd.at)
    effects = Effects(changed={route.route_id: route})
    tenant = cmd.tenant_id
    summary: dict[str, Any] = {
        "route_id": route.route_id,
        "stop_id": stop.stop_id,
        "order_id": stop.order_id,
        "status": stop.status.value,
    }
    if delivered:
        data: Any = _delivered(tracker, route, stop, cmd, summary)
    else:
        data = deliveries.OrderDeliveryFailed(
            order_id=stop.order_id,
            route_id=route.route_id,
            stop_id=stop.stop_id,
            depot_id=route.depot_id,
            failed_at=cmd.at,
            reason_code=cmd.reason_code,
            reason=cmd.reason,
            tracking_token=stop.token,
        )
    effects.emit(data, tenant, stop.order_id, subject=stop.order_id)
    if any(isinstance(item, prog.RouteCompleted) for item in happened):
        emit_completed(tracker.stream, route, effects)
        summary["route_status"] = "completed"
    tracker.stream.publish(
        tenant,
        "stop",
        {
            "route_id": route.route_id,
            "stop_id": stop.stop_id,
            "status": stop.status.value,
            "at": cmd.at.isoformat(),
        },
    )
    await tell_and_write(tracker, conn, route, effects)
    return summary


async def _open_stop(
    tracker: Tracker, conn: Any, cmd: CompleteStop, *, lock: bool = True
) -> tuple[RouteState, StopState]:
    """The tenant's route and its stop, if still open; else StopNotFound/StopAlreadyCompleted.
    The route as committed (`lock`: locked for the change, `route_to_change`)."""
    if lock:
        route = await route_to_change(tracker, conn, cmd.route_id)
    else:
        route = await tracker.store.load_route(conn, cmd.route_id)
    if route is None or route.tenant_id != cmd.tenant_id:
        raise StopNotFound(f"route {cmd.route_id} not found")
    if cmd.vehicle_id is not None and cmd.vehicle_id != route.vehicle_id:
        raise StopNotFound(f"route {cmd.route_id} not found for this device")
    stop = route.stop(cmd.stop_id)
    if stop is None:
        raise StopNotFound(f"stop {cmd.stop_id} not found on route {cmd.route_id}")
    if stop.resolved or route.status in (RouteStatus.CANCELLED, RouteStatus.COMPLETED):
        raise StopAlreadyCompleted(f"stop {cmd.stop_id} is already {stop.status.value}")
    return route, stop


async def open_stop(
    tracker: Tracker,
    conn: Any,
    tenant_id: str,
    route_id: str,
    stop_id: str,
    vehicle_id: str | None = None,
) -> tuple[RouteState, StopState]:
    """An open stop of the tenant's route (and of the device's vehicle when `vehicle_id` is
    given), as a completion would find it: for uploads made before the completion."""
    probe = CompleteStop(
        tenant_id, route_id, stop_id, "delivered", datetime.now(UTC), vehicle_id=vehicle_id
    )
    return await _open_stop(tracker, conn, probe, lock=False)


def _delivered(
    tracker: Tracker, route: RouteState, stop: StopState, cmd: CompleteStop, summary: dict[str, Any]
) -> deliveries.OrderDelivered:
    """order.delivered with its proof; how far from the address it was goes in the summary."""
    location, distance, far = None, None, False
    if cmd.lat is not None and cmd.lon is not None:
        location = GeoPoint(lat=cmd.lat, lon=cmd.lon)
        distance, far = distance_check(stop.lat, stop.lon, cmd.lat, cmd.lon, tracker.config.far_m)
    proof = deliveries.Proof(
        photo_ref=cmd.photo_ref,
        signature_ref=cmd.signature_ref,
        recipient_name=cmd.recipient_name,
        location=location,
        distance_from_address_m=distance,
        flagged_far=far,
    )
    summary.update(distance_from_address_m=distance, flagged_far=far)
    return deliveries.OrderDelivered(
        order_id=stop.order_id,
        route_id=route.route_id,
        stop_id=stop.stop_id,
        depot_id=route.depot_id,
        delivered_at=cmd.at,
        proof=proof,
        tracking_token=stop.token,
    )
