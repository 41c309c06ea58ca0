"""Plan a depot's service date: read, solve in the worker, then store and publish in one go."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from lastmile_common.events.orders import OrderSnapshot
from lastmile_common.events.routes import (
    PlanCompleted,
    RouteCancelled,
    RoutePlanned,
    UnassignedOrder,
)
from lastmile_common.routing import Router

from planner.domain.depots import StoredDepot, StoredVehicle
from planner.domain.model import PlanResult, ReasonCode, Route, Unplaced
from planner.domain.solver import solve
from planner.service_layer.ports import SolverRunner, UnitsOfWork
from planner.service_layer.problem import build_problem
from planner.service_layer.publishing import new_id, route_data, solved_of
from planner.service_layer.records import ACTIVE_ROUTE, StoredPlan, StoredPreview, StoredRoute
from planner.service_layer.roads import on_roads, route_geometries


class DepotNotFound(Exception):
    """No such depot for this tenant."""


class NoSolutionInTime(Exception):
    """The solver returned no solution within its time limit (a loaded machine, a budget too
    small for the depot): nothing is stored, published or cancelled."""


def require_solution(result: PlanResult, time_limit_s: float) -> PlanResult:
    """The result, unless the solver had none: an empty answer must never wipe out routes."""
    if result.status == "no_solution":
        raise NoSolutionInTime(
            f"the solver found no solution within {time_limit_s:g} s; retry with a larger"
            " time_limit_s"
        )
    return result


class RoutesAlreadyStarted(Exception):
    """The date has started routes: a fresh plan would pull parcels off moving vehicles."""


@dataclass(frozen=True)
class PlanOutcome:
    """A plan's summary and its routes (stored and published unless it was a preview)."""

    summary: PlanCompleted
    routes: tuple[RoutePlanned, ...]
    preview: bool
    expires_at: datetime | None = None  # a preview's: until then its ids resolve


async def _keep_preview(
    tx: UnitsOfWork, tenant_id: str, outcome: PlanOutcome, ttl_s: float
) -> PlanOutcome:
    """Store a preview for `ttl_s`: an id the API hands out must resolve while it is kept."""
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl_s)
    async with tx() as uow:
        await uow.plans.save_preview(
            StoredPreview(tenant_id, outcome.summary, outcome.routes, expires_at)
        )
    return replace(outcome, expires_at=expires_at)


def unassigned_of(unplaced: tuple[Unplaced, ...]) -> tuple[UnassignedOrder, ...]:
    """The solver's unplaced orders as event data."""
    return tuple(
        UnassignedOrder(order_id=u.order_id, reason_code=u.code.value, reason=u.message)
        for u in unplaced
    )


def no_fleet(order_ids: list[str], depot_id: str) -> PlanResult:
    """Every order unplaced: the depot has no vehicles at all."""
    message = "Depot {d} has no vehicles; add vehicles to plan order {o}."
    unplaced = tuple(
        Unplaced(o, ReasonCode.FLEET_FULL, message.format(d=depot_id, o=o)) for o in order_ids
    )
    return PlanResult((), unplaced)


async def plan_depot(
    tx: UnitsOfWork,
    solver: SolverRunner,
    router: Router,
    tenant_id: str,
    depot_id: str,
    day: date,
    *,
    preview: bool,
    time_limit_s: float,
    seed: int,
    grace_s: float,
    trigger: str = "api",
    preview_ttl_s: float = 86400.0,
) -> PlanOutcome:
    """Plan every open order of the depot's date; store and publish unless previewing."""
    async with tx() as uow:
        depot = await uow.depots.get(tenant_id, depot_id)
        if depot is None:
            raise DepotNotFound(depot_id)
        vehicles = await uow.depots.vehicles_of(tenant_id, depot_id)
        orders = [
            o for o in await uow.pending.of_date(tenant_id, depot_id, day) if o.status == "open"
        ]
        existing = await uow.plans.routes_for(tenant_id, depot_id, day)
    if not preview and any(r.status in ("started", "completed") for r in existing):
        raise RoutesAlreadyStarted(depot_id)
    snapshots = {o.order_id: o.snapshot for o in orders}
    tz = depot.spec.time_zone
    geometries: dict[str, str] = {}
    if not orders:
        result = PlanResult((), ())
    elif not vehicles:
        result = no_fleet(list(snapshots), depot_id)
    else:
        problem = build_problem(depot, vehicles, list(snapshots.values()), day)
        problem = await asyncio.to_thread(on_roads, router, problem, day, tz)
        result = require_solution(
            await solver.run(solve, problem, time_limit_s, seed, timeout_s=time_limit_s + grace_s),
            time_limit_s,
        )
        geometries = await asyncio.to_thread(
            route_geometries, router, problem, result.routes, day, tz
        )
    vehicle_by_id = {v.id: v for v in vehicles}
    plan = _new_plan(result, depot, vehicle_by_id, day, snapshots, geometries)
    outcome = PlanOutcome(plan.summary, tuple(data for _, data in plan.routes), preview)
    if preview:
        return await _keep_preview(tx, tenant_id, outcome, preview_ttl_s)
    await _store_plan(tx, tenant_id, depot_id, day, trigger, plan)
    return outcome


@dataclass(frozen=True)
class _NewPlan:
    plan_id: str
    summary: PlanCompleted
    routes: list[tuple[Route, RoutePlanned]]


def _new_plan(
    result: PlanResult,
    depot: StoredDepot,
    vehicles: dict[str, StoredVehicle],
    day: date,
    snapshots: dict[str, OrderSnapshot],
    geometries: dict[str, str],
) -> _NewPlan:
    """The solver's routes as route events of a new plan, and the plan's summary."""
    plan_id = new_id("pln")
    routes = [
        (
            route,
            route_data(
                plan_id=plan_id,
                route_id=new_id("rte"),
                version=1,
                depot=depot,
                vehicle=vehicles[route.vehicle_id],
                route=route,
                day=day,
                orders=snapshots,
                locked=set(),
                geometry=geometries.get(route.vehicle_id),
            ),
        )
        for route in result.routes
    ]
    summary = PlanCompleted(
        plan_id=plan_id,
        depot_id=depot.id,
        service_date=day.isoformat(),
        route_ids=tuple(data.route_id for _, data in routes),
        unassigned=unassigned_of(result.unplaced),
        total_distance_m=float(sum(r.distance_m for r in result.routes)),
        total_duration_s=float(sum(r.end - r.start for r in result.routes)),
        solve_seconds=round(result.seconds, 3),
    )
    return _NewPlan(plan_id, summary, routes)


async def _store_plan(
    tx: UnitsOfWork, tenant_id: str, depot_id: str, day: date, trigger: str, plan: _NewPlan
) -> None:
    """Supersede the date's active routes, store the plan and its routes, publish it all."""
    async with tx() as uow:
        for old in await uow.plans.routes_for(tenant_id, depot_id, day):
            if old.status in ACTIVE_ROUTE:  # superseded by this plan
                await uow.plans.set_route_status(tenant_id, old.id, "superseded")
                cancelled = RouteCancelled(
                    route_id=old.id,
                    depot_id=depot_id,
                    version=old.version + 1,
                    reason=f"superseded by plan {plan.plan_id}",
                )
                await uow.publish(cancelled, tenant_id=tenant_id, key=depot_id, subject=old.id)
        await uow.plans.save(
            StoredPlan(tenant_id, plan.plan_id, depot_id, day, trigger, plan.summary)
        )
        for route, data in plan.routes:
            await uow.plans.save_route(
                StoredRoute(
                    tenant_id,
                    data.route_id,
                    plan.plan_id,
                    depot_id,
                    day,
                    route.vehicle_id,
                    1,
                    "planned",
                    data,
                    solved_of(route),
                )
            )
            await uow.publish(data, tenant_id=tenant_id, key=depot_id, subject=data.route_id)
        await uow.publish(plan.summary, tenant_id=tenant_id, key=depot_id, subject=plan.plan_id)
