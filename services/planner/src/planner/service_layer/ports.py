"""What the planner's use cases need from storage and from the solver worker: one repository per
aggregate (depots with their vehicles, pending orders, plans with their routes and previews,
re-plan requests, cut-off runs), all on one unit of work (one transaction, with the outbox)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol

from lastmile_common.events.base import EventData

from planner.domain.depots import StoredDepot, StoredVehicle
from planner.domain.model import PlanResult
from planner.service_layer.records import (
    PendingOrder,
    ReplanRequest,
    RouteStatus,
    StoredPlan,
    StoredPreview,
    StoredRoute,
)


class DepotRepository(Protocol):
    """Depots and the vehicles of each (the fleet).

    add*: False when the id is taken; update*: False when it is gone (never re-created);
    hold: False when gone, else no delete of the depot commits before this unit of work.
    """

    async def get(self, tenant_id: str, depot_id: str) -> StoredDepot | None: ...
    async def of_tenant(self, tenant_id: str) -> list[StoredDepot]: ...
    async def with_cutoffs(self) -> list[StoredDepot]: ...
    async def save(self, depot: StoredDepot) -> None: ...
    async def add(self, depot: StoredDepot) -> bool: ...
    async def update(self, depot: StoredDepot) -> bool: ...
    async def hold(self, tenant_id: str, depot_id: str) -> bool: ...
    async def delete(self, tenant_id: str, depot_id: str) -> bool: ...
    async def get_vehicle(self, tenant_id: str, vehicle_id: str) -> StoredVehicle | None: ...
    async def vehicles_of(self, tenant_id: str, depot_id: str) -> list[StoredVehicle]: ...
    async def save_vehicle(self, vehicle: StoredVehicle) -> None: ...
    async def add_vehicle(self, vehicle: StoredVehicle) -> bool: ...
    async def update_vehicle(self, vehicle: StoredVehicle) -> bool: ...
    async def delete_vehicle(self, tenant_id: str, vehicle_id: str) -> bool: ...


class PendingOrders(Protocol):
    """Orders from orders.v1 by depot and service date, with their stop progress."""

    async def lock_depot(self, tenant_id: str, depot_id: str) -> None:
        """Serialise writers of one depot's pending set until the unit of work ends."""

    async def get(self, tenant_id: str, order_id: str) -> PendingOrder | None: ...
    async def save(self, order: PendingOrder) -> None: ...
    async def of_date(self, tenant_id: str, depot_id: str, day: date) -> list[PendingOrder]: ...
    async def of_depot(self, tenant_id: str, depot_id: str) -> list[PendingOrder]: ...


class PlanRepository(Protocol):
    """Plans with their routes, and kept previews."""

    async def latest(self, tenant_id: str, depot_id: str, day: date) -> StoredPlan | None: ...
    async def get(self, tenant_id: str, plan_id: str) -> StoredPlan | None: ...
    async def save(self, plan: StoredPlan) -> None: ...
    async def save_preview(self, preview: StoredPreview) -> None: ...
    async def get_preview(self, tenant_id: str, plan_id: str) -> StoredPreview | None: ...
    async def preview_of_route(self, tenant_id: str, route_id: str) -> StoredPreview | None: ...
    async def routes_for(self, tenant_id: str, depot_id: str, day: date) -> list[StoredRoute]: ...
    async def routes_of_plan(self, tenant_id: str, plan_id: str) -> list[StoredRoute]: ...
    async def get_route(self, tenant_id: str, route_id: str) -> StoredRoute | None: ...
    async def save_route(self, route: StoredRoute) -> None: ...
    async def set_route_status(
        self, tenant_id: str, route_id: str, status: RouteStatus
    ) -> None: ...


class ReplanRequests(Protocol):
    """Debounced re-plan requests, one per depot and date."""

    async def request(
        self,
        tenant_id: str,
        depot_id: str,
        day: date,
        at: datetime,
        reason: str,
        event_time: datetime | None = None,
    ) -> None: ...
    async def due(self, before: datetime) -> list[ReplanRequest]: ...
    async def clear(self, request: ReplanRequest) -> bool:
        """Remove the request unless a newer one replaced it; True when removed."""


class CutoffRuns(Protocol):
    """Which depot's cut-offs already planned, per local date."""

    async def claim(self, tenant_id: str, depot_id: str, day: date, cutoff: str) -> bool:
        """True for the first claim of this cut-off on this date, False after."""


class UnitOfWork(Protocol):
    """The repositories and the outbox, all inside one transaction."""

    @property
    def depots(self) -> DepotRepository: ...
    @property
    def pending(self) -> PendingOrders: ...
    @property
    def plans(self) -> PlanRepository: ...
    @property
    def replans(self) -> ReplanRequests: ...
    @property
    def cutoffs(self) -> CutoffRuns: ...

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        """Add an event to the outbox: sent only if this unit of work commits."""


class UnitsOfWork(Protocol):
    """Starts a unit of work: commits when the block ends, rolls back when it raises."""

    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]: ...


class SolverRunner(Protocol):
    """Runs a pure solver function away from the event loop, within a deadline."""

    async def run(
        self, fn: Callable[..., PlanResult], *args: Any, timeout_s: float
    ) -> PlanResult: ...

    async def warmed(self) -> None:
        """Return once the workers are warm (at once when no warm-up runs)."""
