"""The one writer of routes and plans, shared by plan and re-plan: each stored version goes out
on routes.v1 (key: its depot) in the same unit of work."""

from __future__ import annotations

from lastmile_common.events.routes import RouteCancelled

from planner.service_layer.ports import UnitOfWork
from planner.service_layer.records import RouteStatus, StoredPlan, StoredRoute


async def write_route(uow: UnitOfWork, route: StoredRoute) -> None:
    """Store a route's new version and publish its event (route.planned or route.updated)."""
    await uow.plans.save_route(route)
    await uow.publish(route.event, tenant_id=route.tenant_id, key=route.depot_id, subject=route.id)


async def cancel_route(
    uow: UnitOfWork, route: StoredRoute, status: RouteStatus, reason: str
) -> None:
    """End a route (`superseded` by a new plan, `cancelled` with no stops left): route.cancelled,
    one version past the route's."""
    await uow.plans.set_route_status(route.tenant_id, route.id, status)
    gone = RouteCancelled(
        route_id=route.id, depot_id=route.depot_id, version=route.version + 1, reason=reason
    )
    await uow.publish(gone, tenant_id=route.tenant_id, key=route.depot_id, subject=route.id)


async def write_summary(uow: UnitOfWork, plan: StoredPlan, *, publish: bool) -> None:
    """Store the plan with its summary; publish the summary (plan.completed) when asked."""
    await uow.plans.save(plan)
    if publish:
        await uow.publish(
            plan.summary, tenant_id=plan.tenant_id, key=plan.depot_id, subject=plan.id
        )
