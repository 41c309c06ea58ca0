"""What the planner stores: pending orders, plans and routes (plain records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from lastmile_common.events.orders import OrderSnapshot
from lastmile_common.events.routes import PlanCompleted, RoutePlanned

OrderStatus = Literal["open", "cancelled"]
# Progress reported on deliveries.v1: arrived is in progress, delivered/failed are served.
Progress = Literal["arrived", "delivered", "failed"]
RouteStatus = Literal["planned", "started", "completed", "cancelled", "superseded"]
ACTIVE_ROUTE = ("planned", "started")


@dataclass(frozen=True)
class PendingOrder:
    """An order from orders.v1 waiting to be planned (or planned, or cancelled)."""

    tenant_id: str
    order_id: str
    depot_id: str
    service_date: date | None
    status: OrderStatus
    version: int
    snapshot: OrderSnapshot
    progress: Progress | None = None
    # When tracking saw that progress (arrival, hand-over, failed attempt).
    progress_at: datetime | None = None


@dataclass(frozen=True)
class StoredPlan:
    """A stored plan: its summary is the latest plan.completed data (unassigned updated on re-plan)."""

    tenant_id: str
    id: str
    depot_id: str
    service_date: date
    trigger: str
    summary: PlanCompleted


@dataclass(frozen=True)
class StoredPreview:
    """A previewed plan, kept until `expires_at` so that its ids resolve."""

    tenant_id: str
    summary: PlanCompleted
    routes: tuple[RoutePlanned, ...]
    expires_at: datetime

    @property
    def id(self) -> str:
        """The preview's plan id."""
        return self.summary.plan_id


@dataclass(frozen=True)
class StoredRoute:
    """A route: its latest published data and the solver's view of it (seconds since midnight)."""

    tenant_id: str
    id: str
    plan_id: str
    depot_id: str
    service_date: date
    vehicle_id: str
    version: int
    status: RouteStatus
    event: RoutePlanned
    solved: dict[str, Any] = field(default_factory=dict)

    @property
    def order_ids(self) -> list[str]:
        """Orders in visiting order."""
        return [stop.order_id for stop in self.event.stops]


@dataclass(frozen=True)
class ReplanRequest:
    """A depot and date waiting for its debounced re-plan."""

    tenant_id: str
    depot_id: str
    service_date: date
    requested_at: Any
    reasons: tuple[str, ...] = ()
    event_time: datetime | None = None  # newest time the asking events carried
