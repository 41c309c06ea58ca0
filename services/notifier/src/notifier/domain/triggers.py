"""Which events become which messages: pure decisions on an event and the order's state."""

from __future__ import annotations

from datetime import datetime, timedelta

from lastmile_common.events.deliveries import OrderDelivered, OrderDeliveryFailed, StartedStop
from lastmile_common.events.etas import EtaUpdated

from notifier.domain.config import Triggers
from notifier.domain.model import Intent, OrderView


def out_for_delivery(
    stop: StartedStop | None, order: OrderView, route_id: str, version: int, triggers: Triggers
) -> Intent | None:
    """The route started: tell the window from the start event, else from the plan."""
    if not triggers.out_for_delivery:
        return None
    if stop is not None:
        start, end, eta = stop.eta_window_start, stop.eta_window_end, stop.eta
    elif order.planned_start is not None and order.planned_end is not None:
        start, end = order.planned_start, order.planned_end
        eta = start + (end - start) / 2
    else:
        return None
    facts = {"eta": eta, "window_start": start, "window_end": end}
    return Intent("out_for_delivery", version, facts, scope=route_id, expires_at=end)


def planned_window(arrival: datetime, triggers: Triggers) -> tuple[datetime, datetime]:
    """A window of the configured width centred on a planned arrival."""
    half = timedelta(minutes=triggers.planned_window_min / 2)
    return arrival - half, arrival + half


def eta_update(event: EtaUpdated, order: OrderView, triggers: Triggers) -> Intent | None:
    """Arriving soon, or an ETA moved by more than the threshold from what the customer knows."""
    if event.sequence <= order.eta_sequence:
        return None  # an older estimate arriving late: never act on it
    facts = {
        "eta": event.eta,
        "window_start": event.window_start,
        "window_end": event.window_end,
        "stops_away": event.stops_away,
        "minutes_away": max(0, round((event.eta - event.computed_at).total_seconds() / 60)),
    }
    minutes = (event.eta - event.computed_at).total_seconds() / 60
    if triggers.arriving and (
        event.stops_away <= triggers.arriving_stops or minutes <= triggers.arriving_minutes
    ):
        return Intent(
            "arriving",
            1,
            facts,
            scope=event.route_id,
            expires_at=event.window_end,
            event_time=event.computed_at,
        )
    if not triggers.eta_changed or order.notified_eta is None:
        return None
    moved = abs((event.eta - order.notified_eta).total_seconds()) / 60
    if moved <= triggers.eta_change_threshold_min:
        return None
    return Intent(
        "eta_changed",
        event.sequence,
        facts,
        scope=event.route_id,
        expires_at=event.window_end,
        event_time=event.computed_at,
    )


def delivered(event: OrderDelivered, triggers: Triggers) -> Intent | None:
    """The order was handed over: say when and with what proof."""
    if not triggers.delivered:
        return None
    proof = event.proof
    parts = []
    if proof.recipient_name:
        parts.append(f"received by {proof.recipient_name}")
    if proof.photo_ref:
        parts.append("photo taken")
    if proof.signature_ref:
        parts.append("signed")
    facts = {
        "delivered_at": event.delivered_at,
        "proof_summary": ", ".join(parts),
        "received_by": proof.recipient_name or "",
    }
    return Intent("delivered", 1, facts, event_time=event.delivered_at)


def delivery_failed(event: OrderDeliveryFailed, triggers: Triggers) -> Intent | None:
    """A failed attempt: say why and what happens next."""
    if not triggers.failed:
        return None
    facts = {
        "failed_at": event.failed_at,
        "reason_code": event.reason_code,
        "reason": event.reason or event.reason_code.replace("_", " "),
        "next_step": event.next_step,
    }
    return Intent("failed", 1, facts, scope=event.route_id, event_time=event.failed_at)
