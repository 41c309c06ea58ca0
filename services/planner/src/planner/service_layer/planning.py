"""Plan a depot's service date: read, solve in the worker, then store and publish in one go."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from lastmile_common.events.orders import OrderSnapshot
from lastmile_common.events.routes import PlanCompleted, RoutePlanned, UnassignedOrder
from lastmile_common.routing import Router

from planner.domain.depots import StoredDepot, StoredVehicle
from planner.domain.model import PlanningProblem, PlanResult, ReasonCode, Unplaced
from planner.domain.solver import solve
from planner.service_layer.ports import SolverRunner, UnitOfWork, UnitsOfWork
from planner.service_layer.problem import build_problem
from planner.service_layer.publishing import new_id, route_data, solved_of
from planner.service_layer.records import ACTIVE_ROUTE, StoredPlan, StoredPreview, StoredRoute
from planner.service_layer.roads import on_roads, route_geometries
from planner.service_layer.route_writer import cancel_route, write_route, write_summary


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


@dataclass(frozen=True)
class _Day:
    """What a plan of a depot's date starts from, read in one unit of work."""

    depot: StoredDepot
    vehicles: list[StoredVehicle]
    orders: dict[str, OrderSnapshot]  # the open ones, by id
    started: bool  # a route of the date started (or even completed)


@dataclass(frozen=True)
class _NewPlan:
    plan: StoredPlan
    routes: list[StoredRoute]


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
    loaded = await _load(tx, tenant_id, depot_id, day)
    if not preview and loaded.started:
        raise RoutesAlreadyStarted(depot_id)
    result, geometries = await _solve(loaded, day, solver, router, time_limit_s, seed, grace_s)
    new = _new_plan(result, loaded, tenant_id, day, trigger, geometries)
    routes = tuple(r.event for r in new.routes)
    outcome = PlanOutcome(new.plan.summary, routes, preview)
    if preview:
        return await _keep_preview(tx, tenant_id, outcome, preview_ttl_s)
    async with tx() as uow:
        await _write_routes(uow, new)
        await write_summary(uow, new.plan, publish=True)
    return outcome


async def _load(tx: UnitsOfWork, tenant_id: str, depot_id: str, day: date) -> _Day:
    """The depot, its vehicles, the date's open orders and whether its routes started."""
    async with tx() as uow:
        depot = await uow.depots.get(tenant_id, depot_id)
        if depot is None:
            raise DepotNotFound(depot_id)
        vehicles = await uow.depots.vehicles_of(tenant_id, depot_id)
        orders = [
            o for o in await uow.pending.of_date(tenant_id, depot_id, day) if o.status == "open"
        ]
        existing = await uow.plans.routes_for(tenant_id, depot_id, day)
    return _Day(depot, vehicles, {o.order_id: o.snapshot for o in orders}, _any_started(existing))


def _any_started(routes: list[StoredRoute]) -> bool:
    """A route of the date started (or even completed): a fresh plan would pull parcels off
    moving vehicles."""
    return any(r.status in ("started", "completed") for r in routes)


async def _build_problem(loaded: _Day, day: date, router: Router) -> PlanningProblem:
    """The solver's problem on the road network's travel times."""
    problem = build_problem(loaded.depot, loaded.vehicles, list(loaded.orders.values()), day)
    return await asyncio.to_thread(on_roads, router, problem, day, loaded.depot.spec.time_zone)


async def _solve(
    loaded: _Day,
    day: date,
    solver: SolverRunner,
    router: Router,
    time_limit_s: float,
    seed: int,
    grace_s: float,
) -> tuple[PlanResult, dict[str, str]]:
    """The plan solved in the worker, and each route's road geometry by vehicle id."""
    if not loaded.orders:
        return PlanResult((), ()), {}
    if not loaded.vehicles:
        return no_fleet(list(loaded.orders), loaded.depot.id), {}
    problem = await _build_problem(loaded, day, router)
    result = require_solution(
        await solver.run(solve, problem, time_limit_s, seed, timeout_s=time_limit_s + grace_s),
        time_limit_s,
    )
    tz = loaded.depot.spec.time_zone
    geometries = await asyncio.to_thread(route_geometries, router, problem, result.routes, day, tz)
    return result, geometries


def _new_plan(
    result: PlanResult,
    loaded: _Day,
    tenant_id: str,
    day: date,
    trigger: str,
    geometries: dict[str, str],
) -> _NewPlan:
    """The solver's routes as version 1 of a new plan's routes, and the plan's summary."""
    plan_id = new_id("pln")
    depot = loaded.depot
    vehicles = {v.id: v for v in loaded.vehicles}
    routes = []
    for route in result.routes:
        data = route_data(
            plan_id=plan_id,
            route_id=new_id("rte"),
            version=1,
            depot=depot,
            vehicle=vehicles[route.vehicle_id],
            route=route,
            day=day,
            orders=loaded.orders,
            locked=set(),
            geometry=geometries.get(route.vehicle_id),
        )
        routes.append(
            StoredRoute(
                tenant_id,
                data.route_id,
                plan_id,
                depot.id,
                day,
                route.vehicle_id,
                1,
                "planned",
                data,
                solved_of(route),
            )
        )
    summary = PlanCompleted(
        plan_id=plan_id,
        depot_id=depot.id,
        service_date=day.isoformat(),
        route_ids=tuple(r.id for r in routes),
        unassigned=unassigned_of(result.unplaced),
        total_distance_m=float(sum(r.distance_m for r in result.routes)),
        total_duration_s=float(sum(r.end - r.start for r in result.routes)),
        solve_seconds=round(result.seconds, 3),
    )
    return _NewPlan(StoredPlan(tenant_id, plan_id, depot.id, day, trigger, summary), routes)


async def _write_routes(uow: UnitOfWork, new: _NewPlan) -> None:
    """Supersede the date's active routes, then store and publish the new plan's; refused
    (nothing written) when a route started while the solver ran."""
    plan = new.plan
    existing = await uow.plans.routes_for(plan.tenant_id, plan.depot_id, plan.service_date)
    if _any_started(existing):
        raise RoutesAlreadyStarted(plan.depot_id)
    for old in existing:
        if old.status in ACTIVE_ROUTE:
            await cancel_route(uow, old, "superseded", f"superseded by plan {plan.id}")
    for route in new.routes:
        await write_route(uow, route)
