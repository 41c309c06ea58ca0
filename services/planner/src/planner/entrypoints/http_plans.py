"""Plans: plan now or preview, read plans and routes, list unassigned orders."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from lastmile_common.http.problems import Problem

from planner.adapters.solver_pool import SolverTimeout, SolverUnavailable, SolverWarming
from planner.entrypoints.deps import PlannerDep, TenantDep
from planner.entrypoints.schemas import PlanRequest, PlanView, RouteView, UnassignedView, route_view
from planner.service_layer.planning import (
    DepotNotFound,
    NoSolutionInTime,
    RoutesAlreadyStarted,
    plan_depot,
)
from planner.service_layer.records import StoredPreview

router = APIRouter(prefix="/v1", tags=["plans"])
# A solver still starting (a cold worker compiles its search for about a minute).
SOLVER_WARMING_RETRY_S = 10


@router.post("/plans", response_model=PlanView)
async def create_plan(body: PlanRequest, tenant: TenantDep, ctx: PlannerDep) -> PlanView:
    """Plan a depot's service date now (stored and published), or preview it."""
    settings = ctx.settings
    time_limit = body.time_limit_s or settings.solver_time_limit_s
    if time_limit > settings.solver_max_time_limit_s:
        raise Problem(
            422,
            "Invalid request",
            "time limit too long",
            errors=[
                {
                    "field": "body.time_limit_s",
                    "message": f"at most {settings.solver_max_time_limit_s:g} s",
                }
            ],
        )
    try:
        async with ctx.depot_lock(tenant, body.depot_id):
            outcome = await plan_depot(
                ctx.tx,
                ctx.solver,
                ctx.router,
                tenant,
                body.depot_id,
                body.service_date,
                preview=body.preview,
                time_limit_s=time_limit,
                seed=body.seed or 0,
                grace_s=settings.solver_grace_s,
                preview_ttl_s=settings.preview_ttl_s,
            )
    except DepotNotFound:
        raise Problem(
            404,
            "Not found",
            f"no depot {body.depot_id!r}",
            errors=[{"field": "body.depot_id", "message": "unknown depot"}],
        ) from None
    except RoutesAlreadyStarted:
        raise Problem(
            409,
            "Conflict",
            "routes of this date already started; changes are re-planned automatically",
        ) from None
    except (SolverTimeout, SolverUnavailable, NoSolutionInTime) as exc:
        retry = SOLVER_WARMING_RETRY_S if isinstance(exc, SolverWarming) else 1
        raise Problem(
            503, "Solver unavailable", str(exc), headers={"Retry-After": str(retry)}
        ) from None
    routes = tuple(
        route_view(r, "preview" if outcome.preview else "planned") for r in outcome.routes
    )
    return PlanView(
        **outcome.summary.model_dump(),
        preview=outcome.preview,
        expires_at=outcome.expires_at,
        routes=routes,
    )


@router.get("/plans/{plan_id}", response_model=PlanView)
async def get_plan(plan_id: str, tenant: TenantDep, ctx: PlannerDep) -> PlanView:
    """A stored plan with its routes' latest versions and its unassigned orders."""
    async with ctx.tx() as uow:
        plan = await uow.plans.get(tenant, plan_id)
        if plan is None:
            preview = await uow.plans.get_preview(tenant, plan_id)
            if preview is None:
                raise Problem(404, "Not found", f"no plan {plan_id!r}")
            return _preview_view(preview)
        routes = await uow.plans.routes_of_plan(tenant, plan_id)
    views = tuple(route_view(r.event, r.status) for r in routes)
    return PlanView(**plan.summary.model_dump(), routes=views)


def _preview_view(preview: StoredPreview) -> PlanView:
    routes = tuple(route_view(r, "preview") for r in preview.routes)
    return PlanView(
        **preview.summary.model_dump(), preview=True, expires_at=preview.expires_at, routes=routes
    )


@router.get("/routes/{route_id}", response_model=RouteView)
async def get_route(route_id: str, tenant: TenantDep, ctx: PlannerDep) -> RouteView:
    """A route's latest version."""
    async with ctx.tx() as uow:
        route = await uow.plans.get_route(tenant, route_id)
        preview = None if route else await uow.plans.preview_of_route(tenant, route_id)
    if route is not None:
        return route_view(route.event, route.status)
    if preview is not None:
        return next(route_view(r, "preview") for r in preview.routes if r.route_id == route_id)
    raise Problem(404, "Not found", f"no route {route_id!r}")


@router.get("/depots/{depot_id}/unassigned", response_model=UnassignedView)
async def unassigned(
    depot_id: str, tenant: TenantDep, ctx: PlannerDep, service_date: Annotated[date, Query()]
) -> UnassignedView:
    """Orders of the date no route serves: the latest plan's, with reasons, and newer ones."""
    async with ctx.tx() as uow:
        if await uow.depots.get(tenant, depot_id) is None:
            raise Problem(404, "Not found", f"no depot {depot_id!r}")
        plan = await uow.plans.latest(tenant, depot_id, service_date)
        orders = await uow.pending.of_date(tenant, depot_id, service_date)
        routes = await uow.plans.routes_for(tenant, depot_id, service_date)
    routed = {
        oid
        for r in routes
        if r.status in ("planned", "started", "completed")
        for oid in r.order_ids
    }
    listed = {u.order_id for u in plan.summary.unassigned} if plan else set()
    waiting = tuple(
        o.order_id
        for o in orders
        if o.status == "open" and o.order_id not in routed and o.order_id not in listed
    )
    return UnassignedView(
        depot_id=depot_id,
        service_date=service_date,
        plan_id=plan.id if plan else None,
        unassigned=plan.summary.unassigned if plan else (),
        not_planned_yet=waiting,
    )
