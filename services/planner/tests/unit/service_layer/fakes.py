"""In-memory unit of work (a fake repository per aggregate) and solver runner for service-layer
tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import Any

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


class FakeDepots:
    """Depots and vehicles in dicts keyed by (tenant, id)."""

    def __init__(self) -> None:
        self.depots: dict[tuple[str, str], StoredDepot] = {}
        self.vehicles: dict[tuple[str, str], StoredVehicle] = {}

    async def get(self, tenant_id: str, depot_id: str) -> StoredDepot | None:
        return self.depots.get((tenant_id, depot_id))

    async def of_tenant(self, tenant_id: str) -> list[StoredDepot]:
        return [d for d in self.depots.values() if d.tenant_id == tenant_id]

    async def with_cutoffs(self) -> list[StoredDepot]:
        return [d for d in self.depots.values() if d.spec.cutoff_times]

    async def save(self, depot: StoredDepot) -> None:
        self.depots[depot.tenant_id, depot.id] = depot

    async def add(self, depot: StoredDepot) -> bool:
        return self.depots.setdefault((depot.tenant_id, depot.id), depot) is depot

    async def update(self, depot: StoredDepot) -> bool:
        if (depot.tenant_id, depot.id) not in self.depots:
            return False
        self.depots[depot.tenant_id, depot.id] = depot
        return True

    async def hold(self, tenant_id: str, depot_id: str) -> bool:
        return (tenant_id, depot_id) in self.depots

    async def delete(self, tenant_id: str, depot_id: str) -> bool:
        return self.depots.pop((tenant_id, depot_id), None) is not None

    async def get_vehicle(self, tenant_id: str, vehicle_id: str) -> StoredVehicle | None:
        return self.vehicles.get((tenant_id, vehicle_id))

    async def vehicles_of(self, tenant_id: str, depot_id: str) -> list[StoredVehicle]:
        return [
            v for v in self.vehicles.values() if (v.tenant_id, v.depot_id) == (tenant_id, depot_id)
        ]

    async def save_vehicle(self, vehicle: StoredVehicle) -> None:
        self.vehicles[vehicle.tenant_id, vehicle.id] = vehicle

    async def add_vehicle(self, vehicle: StoredVehicle) -> bool:
        return self.vehicles.setdefault((vehicle.tenant_id, vehicle.id), vehicle) is vehicle

    async def update_vehicle(self, vehicle: StoredVehicle) -> bool:
        old = self.vehicles.get((vehicle.tenant_id, vehicle.id))
        if old is None or old.depot_id != vehicle.depot_id:
            return False
        self.vehicles[vehicle.tenant_id, vehicle.id] = vehicle
        return True

    async def delete_vehicle(self, tenant_id: str, vehicle_id: str) -> bool:
        return self.vehicles.pop((tenant_id, vehicle_id), None) is not None


class FakePendingOrders:
    """Pending orders keyed by (tenant, order id); `locked` lists the depot locks taken."""

    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], PendingOrder] = {}
        self.locked: list[tuple[str, str]] = []

    async def lock_depot(self, tenant_id: str, depot_id: str) -> None:
        self.locked.append((tenant_id, depot_id))

    async def get(self, tenant_id: str, order_id: str) -> PendingOrder | None:
        return self.orders.get((tenant_id, order_id))

    async def save(self, order: PendingOrder) -> None:
        self.orders[order.tenant_id, order.order_id] = order

    async def of_date(self, tenant_id: str, depot_id: str, day: date) -> list[PendingOrder]:
        return sorted(
            (
                o
                for o in self.orders.values()
                if (o.tenant_id, o.depot_id, o.service_date) == (tenant_id, depot_id, day)
            ),
            key=lambda o: o.order_id,
        )

    async def of_depot(self, tenant_id: str, depot_id: str) -> list[PendingOrder]:
        return [
            o for o in self.orders.values() if (o.tenant_id, o.depot_id) == (tenant_id, depot_id)
        ]


class FakePlans:
    """Plans in saving order, previews, routes keyed by (tenant, id)."""

    def __init__(self) -> None:
        self.plans: list[StoredPlan] = []
        self.previews: list[StoredPreview] = []
        self.routes: dict[tuple[str, str], StoredRoute] = {}

    async def latest(self, tenant_id: str, depot_id: str, day: date) -> StoredPlan | None:
        found = [
            p
            for p in self.plans
            if (p.tenant_id, p.depot_id, p.service_date) == (tenant_id, depot_id, day)
        ]
        return found[-1] if found else None

    async def get(self, tenant_id: str, plan_id: str) -> StoredPlan | None:
        return next((p for p in self.plans if (p.tenant_id, p.id) == (tenant_id, plan_id)), None)

    async def save(self, plan: StoredPlan) -> None:
        self.plans = [p for p in self.plans if p.id != plan.id] + [plan]

    async def save_preview(self, preview: StoredPreview) -> None:
        self.previews.append(preview)

    async def get_preview(self, tenant_id: str, plan_id: str) -> StoredPreview | None:
        found = (p for p in self.previews if (p.tenant_id, p.id) == (tenant_id, plan_id))
        return next(found, None)

    async def preview_of_route(self, tenant_id: str, route_id: str) -> StoredPreview | None:
        found = (
            p
            for p in self.previews
            if p.tenant_id == tenant_id and any(r.route_id == route_id for r in p.routes)
        )
        return next(found, None)

    async def routes_for(self, tenant_id: str, depot_id: str, day: date) -> list[StoredRoute]:
        return [
            r
            for r in self.routes.values()
            if (r.tenant_id, r.depot_id, r.service_date) == (tenant_id, depot_id, day)
        ]

    async def routes_of_plan(self, tenant_id: str, plan_id: str) -> list[StoredRoute]:
        return [r for r in self.routes.values() if (r.tenant_id, r.plan_id) == (tenant_id, plan_id)]

    async def get_route(self, tenant_id: str, route_id: str) -> StoredRoute | None:
        return self.routes.get((tenant_id, route_id))

    async def save_route(self, route: StoredRoute) -> None:
        self.routes[route.tenant_id, route.id] = route

    async def set_route_status(self, tenant_id: str, route_id: str, status: RouteStatus) -> None:
        self.routes[tenant_id, route_id] = replace(self.routes[tenant_id, route_id], status=status)


class FakeReplanRequests:
    """Re-plan requests keyed by (tenant, depot, date)."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, date], ReplanRequest] = {}

    async def request(
        self,
        tenant_id: str,
        depot_id: str,
        day: date,
        at: datetime,
        reason: str,
        event_time: datetime | None = None,
    ) -> None:
        old = self.requests.get((tenant_id, depot_id, day))
        reasons = (*old.reasons, reason) if old else (reason,)
        latest = max(at, old.requested_at) if old else at
        times = [t for t in (event_time, old.event_time if old else None) if t is not None]
        self.requests[tenant_id, depot_id, day] = ReplanRequest(
            tenant_id, depot_id, day, latest, reasons, max(times) if times else None
        )

    async def due(self, before: datetime) -> list[ReplanRequest]:
        return [r for r in self.requests.values() if r.requested_at <= before]

    async def clear(self, request: ReplanRequest) -> bool:
        key = (request.tenant_id, request.depot_id, request.service_date)
        if key in self.requests and self.requests[key].requested_at == request.requested_at:
            del self.requests[key]
            return True
        return False


class FakeCutoffRuns:
    """Cut-offs claimed, as (tenant, depot, local date, cut-off)."""

    def __init__(self) -> None:
        self.claimed: set[tuple[str, str, date, str]] = set()

    async def claim(self, tenant_id: str, depot_id: str, day: date, cutoff: str) -> bool:
        key = (tenant_id, depot_id, day, cutoff)
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True


class FakeUnitOfWork:
    """The fake repositories; `published` collects (data, key) of every event published."""

    def __init__(self) -> None:
        self.depots = FakeDepots()
        self.pending = FakePendingOrders()
        self.plans = FakePlans()
        self.replans = FakeReplanRequests()
        self.cutoffs = FakeCutoffRuns()
        self.published: list[tuple[EventData, str]] = []

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        self.published.append((data, key))


class FakeUnitsOfWork:
    """Every unit of work is the same in-memory one (nothing rolls back)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[FakeUnitOfWork]:
        yield self.uow


class InlineSolver:
    """Runs the solver function in the test's own process; counts calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def warmed(self) -> None:
        """Always warm."""

    async def run(self, fn: Callable[..., PlanResult], *args: Any, timeout_s: float) -> PlanResult:
        self.calls += 1
        return fn(*args)


class MeanwhileSolver(InlineSolver):
    """An inline solver during whose run something else happens (`meanwhile`, awaited once the
    plan is found and before it is written): a route starts or completes mid-solve."""

    def __init__(self, meanwhile: Callable[[], Awaitable[object]]) -> None:
        super().__init__()
        self._meanwhile = meanwhile

    async def run(self, fn: Callable[..., PlanResult], *args: Any, timeout_s: float) -> PlanResult:
        result = await super().run(fn, *args, timeout_s=timeout_s)
        await self._meanwhile()
        return result
