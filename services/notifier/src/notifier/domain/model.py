"""What the notifier knows about an order, and what it decides to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["confirmed", "out_for_delivery", "eta_changed", "arriving", "delivered", "failed"]
KINDS: tuple[Kind, ...] = (
    "confirmed",
    "out_for_delivery",
    "eta_changed",
    "arriving",
    "delivered",
    "failed",
)
ChannelName = Literal["sms", "email"]
# Kinds about the coming visit: pointless once the order is delivered, failed or cancelled.
VISIT_KINDS: tuple[Kind, ...] = ("out_for_delivery", "eta_changed", "arriving")
# Kinds about the outcome: never held back by a recipient's rate limit (ETA updates fill it).
OUTCOME_KINDS: tuple[Kind, ...] = ("out_for_delivery", "arriving", "delivered", "failed")


@dataclass(frozen=True)
class OrderView:
    """The notifier's own copy of an order's contact and progress."""

    tenant_id: str
    order_id: str
    external_id: str = ""
    depot_id: str = ""
    name: str = ""
    phone: str | None = None
    email: str | None = None
    channels: tuple[str, ...] = ("sms", "email")
    locale: str = "en"
    time_zone: str = "UTC"
    tracking_token: str | None = None
    route_id: str | None = None
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    notified_eta: datetime | None = None
    eta_sequence: int = 0
    eta_changed_at: datetime | None = None
    prior_eta: datetime | None = None
    prior_changed_at: datetime | None = None
    # No ETA message once a route's visit is over (arriving sent, failed): its id; '*' = any.
    eta_closed: str = ""

    def eta_closed_for(self, route_id: str) -> bool:
        """Whether ETA messages about this route are over (arriving told, delivered, failed)."""
        return self.eta_closed in ("*", route_id)

    def addresses(self) -> list[tuple[ChannelName, str]]:
        """The (channel, address) pairs the recipient asked to be reached on."""
        out: list[tuple[ChannelName, str]] = []
        if "sms" in self.channels and self.phone:
            out.append(("sms", self.phone))
        if "email" in self.channels and self.email:
            out.append(("email", self.email))
        return out


@dataclass(frozen=True)
class Intent:
    """A message to send: its key (kind, scope, version), facts for the template, and expiry."""

    kind: Kind
    version: int
    facts: dict[str, Any] = field(default_factory=dict)
    scope: str = ""
    expires_at: datetime | None = None
    event_time: datetime | None = None
