"""Which events become which messages: pure decisions on an event and the order's state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from lastmile_common.events.deliveries import OrderDelivered, OrderDeliveryFailed, StartedStop
from lastmile_common.events.etas import EtaUpdated

from notifier.domain.config import Triggers
from notifier.domain.model import Intent, OrderView

# The version of the kinds a customer gets at most once per order (confirmed, out for delivery,
# arriving, delivered, failed); with the empty scope, the notification key is the order's.
ONCE_PER_ORDER = 1


def out_for_delivery(
    stop: StartedStop | None,
    order: OrderView,
    route_id: str,
    version: int,
    triggers: Triggers,
    started_at: datetime,
) -> Intent | None:
    """The route started with this order's stop on it: tell the window from the start event.

    `stop` None: the started route does not carry the order (a re-plan took it off, e.g. it
    was cancelled), so it is not out for delivery, whatever an older plan said.
    """
    if not triggers.out_for_delivery or stop is None or order.eta_closed == "*":
        return None
    facts = {
        "eta": stop.eta,
        "window_start": stop.eta_window_start,
        "window_end": stop.eta_window_end,
    }
    # Keyed per order, not per route or route version: a re-plan that moves the order onto
    # another route (or a new attempt after a failed one) never tells it twice.
    return Intent(
        "out_for_delivery",
        ONCE_PER_ORDER,
        facts,
        expires_at=stop.eta_window_end,
        event_time=started_at,
    )


def planned_window(arrival: datetime, triggers: Triggers) -> tuple[datetime, datetime]:
    """A window of the configured width centred on a planned arrival."""
    half = timedelta(minutes=triggers.planned_window_min / 2)
    return arrival - half, arrival + half


def eta_update(
    event: EtaUpdated, order: OrderView, triggers: Triggers, *, superseded: bool = False
) -> Intent | None:
    """Arriving soon, or an ETA moved by more than the threshold from the ETA last told.

    `superseded`: the newest "ETA changed" was still pending and this newer estimate dropped it,
    so the customer never saw it: compare with what they were told before it.
    """
    if event.sequence <= order.eta_sequence:
        return None  # an older estimate arriving late: never act on it
    if order.eta_closed_for(event.route_id):
        return None  # arriving already told, delivered or failed: the visit is over
    minutes = (event.eta - event.computed_at).total_seconds() / 60
    facts = {
        "eta": event.eta,
        "window_start": event.window_start,
        "window_end": event.window_end,
        "stops_away": event.stops_away,
        "minutes_away": max(0, round(minutes)),
    }
    if triggers.arriving and (
        event.stops_away <= triggers.arriving_stops or minutes <= triggers.arriving_minutes
    ):
        # Once per order: the key has no route, so a re-plan onto another route cannot re-arm it.
        return Intent(
            "arriving",
            ONCE_PER_ORDER,
            facts,
            expires_at=event.window_end,
            event_time=event.computed_at,
        )
    told, told_at = (
        (order.prior_eta, order.prior_changed_at)
        if superseded
        else (order.notified_eta, order.eta_changed_at)
    )
    if not triggers.eta_changed or told is None:
        return None  # nothing told yet, so nothing changed for the customer
    # The ETA point, not the window: a window narrowing as the van nears is no news.
    if abs(event.eta - told) <= timedelta(minutes=triggers.eta_change_threshold_min):
        return None
    interval = timedelta(minutes=triggers.eta_change_interval_min)
    if told_at is not None and event.computed_at - told_at < interval:
        return None  # told a change moments ago; a later estimate still differing will tell
    return Intent(
        "eta_changed",
        event.sequence,
        facts,
        scope=event.route_id,
        expires_at=event.window_end,
        event_time=event.computed_at,
    )


@dataclass(frozen=True)
class EtaMemory:
    """What to remember after an ETA event: the ETA told, and what was told before it."""

    notified_eta: datetime | None
    eta_changed_at: datetime | None
    prior_eta: datetime | None
    prior_changed_at: datetime | None
    eta_closed: str

    def applied_to(self, order: OrderView, sequence: int) -> OrderView:
        """The order as it reads once this memory, of the ETA event `sequence`, is stored."""
        return replace(
            order,
            eta_sequence=max(order.eta_sequence, sequence),
            notified_eta=self.notified_eta,
            eta_changed_at=self.eta_changed_at,
            prior_eta=self.prior_eta,
            prior_changed_at=self.prior_changed_at,
            eta_closed=self.eta_closed,
        )


def remember(
    event: EtaUpdated, order: OrderView, intent: Intent | None, superseded: bool
) -> EtaMemory:
    """The order's ETA memory once `intent` (if any) is enqueued for a newer event."""
    told, told_at = (
        (order.prior_eta, order.prior_changed_at)
        if superseded
        else (order.notified_eta, order.eta_changed_at)
    )
    closed = order.eta_closed
    if intent is not None and intent.kind == "arriving":
        closed = "*" if closed == "*" else event.route_id
    if intent is not None and intent.kind == "eta_changed":
        return EtaMemory(event.eta, event.computed_at, told, told_at, closed)
    if superseded:
        return EtaMemory(told, told_at, told, told_at, closed)
    return EtaMemory(told, told_at, order.prior_eta, order.prior_changed_at, closed)


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
    return Intent("delivered", ONCE_PER_ORDER, facts, event_time=event.delivered_at)


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
    return Intent("failed", ONCE_PER_ORDER, facts, event_time=event.failed_at)
