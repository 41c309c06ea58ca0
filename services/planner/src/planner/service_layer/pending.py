"""The pending set: orders.v1 and deliveries.v1 events kept per depot and service date.

A change that touches a depot and date that already has a stored plan asks for a re-plan; the
request is debounced (see `replanning.run_due_replans`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from lastmile_common.events.deliveries import (
    OrderDelivered,
    OrderDeliveryFailed,
    RouteCompleted,
    StopArrived,
)
from lastmile_common.events.orders import OrderCancelled, OrderSnapshot

from planner.service_layer.clock import service_date_of
from planner.service_layer.ports import UnitOfWork
from planner.service_layer.records import PendingOrder, Progress


async def _request_if_planned(
    uow: UnitOfWork, tenant_id: str, depot_id: str, day: date | None, at: datetime, why: str
) -> bool:
    if day is None or await uow.plans.latest(tenant_id, depot_id, day) is None:
        return False
    await uow.replans.request(tenant_id, depot_id, day, at, why)
    return True


async def record_order(
    uow: UnitOfWork, tenant_id: str, snapshot: OrderSnapshot, at: datetime, why: str
) -> PendingOrder | None:
    """Add or update an order in the pending set; a stale version is ignored."""
    # Under the depot's lock: a depot created meanwhile either sees this order or is seen by it.
    await uow.pending.lock_depot(tenant_id, snapshot.depot_id)
    existing = await uow.pending.get(tenant_id, snapshot.order_id)
    if existing is not None and existing.version >= snapshot.version:
        return None
    depot = await uow.depots.get(tenant_id, snapshot.depot_id)
    day = service_date_of(snapshot.windows, depot.spec.time_zone) if depot else None
    order = PendingOrder(
        tenant_id=tenant_id,
        order_id=snapshot.order_id,
        depot_id=snapshot.depot_id,
        service_date=day,
        status="cancelled" if snapshot.status == "cancelled" else "open",
        version=snapshot.version,
        snapshot=snapshot,
        progress=existing.progress if existing else None,
    )
    await uow.pending.save(order)
    await _request_if_planned(uow, tenant_id, order.depot_id, day, at, why)
    if existing is not None and (existing.depot_id, existing.service_date) != (
        order.depot_id,
        day,
    ):  # the order moved to another day or depot: the old plan loses it
        await _request_if_planned(uow, tenant_id, existing.depot_id, existing.service_date, at, why)
    return order


async def cancel_order(
    uow: UnitOfWork, tenant_id: str, event: OrderCancelled, at: datetime
) -> PendingOrder | None:
    """Mark an order cancelled; its plan is re-planned without it."""
    existing = await uow.pending.get(tenant_id, event.order_id)
    if existing is None or existing.version >= event.version or existing.status == "cancelled":
        return None
    cancelled = replace(existing, status="cancelled", version=event.version)
    await uow.pending.save(cancelled)
    await _request_if_planned(
        uow, tenant_id, existing.depot_id, existing.service_date, at, "order.cancelled"
    )
    return cancelled


async def place_depot_orders(uow: UnitOfWork, tenant_id: str, depot_id: str) -> int:
    """(Re)compute service dates of a depot's orders once its time zone is known or changed."""
    await uow.pending.lock_depot(tenant_id, depot_id)
    depot = await uow.depots.get(tenant_id, depot_id)
    if depot is None:
        return 0
    changed = 0
    for order in await uow.pending.of_depot(tenant_id, depot_id):
        day = service_date_of(order.snapshot.windows, depot.spec.time_zone)
        if day != order.service_date:
            await uow.pending.save(replace(order, service_date=day))
            changed += 1
    return changed


async def record_progress(
    uow: UnitOfWork,
    tenant_id: str,
    order_id: str,
    progress: Progress,
    seen_at: datetime | None = None,
) -> None:
    """A stop is in progress (arrived) or served (delivered, failed): it stays locked; `seen_at`
    is when tracking saw it, where a re-plan picks the vehicle up."""
    order = await uow.pending.get(tenant_id, order_id)
    if order is None:
        return
    rank = {None: 0, "arrived": 1, "delivered": 2, "failed": 2}
    if rank[progress] >= rank[order.progress]:
        await uow.pending.save(replace(order, progress=progress, progress_at=seen_at))


async def order_served(
    uow: UnitOfWork, tenant_id: str, event: OrderDelivered | OrderDeliveryFailed
) -> None:
    """A hand-over or a failed attempt: the stop is served, the vehicle left it then."""
    if isinstance(event, OrderDelivered):
        await record_progress(uow, tenant_id, event.order_id, "delivered", event.delivered_at)
    else:
        await record_progress(uow, tenant_id, event.order_id, "failed", event.failed_at)


async def route_started(uow: UnitOfWork, tenant_id: str, route_id: str) -> None:
    """The vehicle left the depot: its loaded orders stay on it from now on."""
    route = await uow.plans.get_route(tenant_id, route_id)
    if route is not None and route.status == "planned":
        await uow.plans.set_route_status(tenant_id, route_id, "started")


async def route_completed(
    uow: UnitOfWork, tenant_id: str, event: RouteCompleted, at: datetime
) -> bool:
    """The vehicle finished: the route is no longer re-planned. Orders it never served (a
    re-plan added them after it finished) ask for a re-plan that places them elsewhere."""
    route = await uow.plans.get_route(tenant_id, event.route_id)
    if route is None:
        return False
    if route.status in ("planned", "started"):
        await uow.plans.set_route_status(tenant_id, route.id, "completed")
    for order_id in event.unserved_order_ids:
        order = await uow.pending.get(tenant_id, order_id)
        if order is not None and order.status == "open" and order.progress is None:
            await uow.replans.request(
                tenant_id,
                route.depot_id,
                route.service_date,
                at,
                "route finished unserved",
                event_time=event.completed_at,
            )
            return True
    return False


async def stop_arrived(
    uow: UnitOfWork, tenant_id: str, event: StopArrived, at: datetime, late_threshold_s: float
) -> bool:
    """Lock the stop; a vehicle later than the threshold asks for a re-plan of its depot's day."""
    await record_progress(uow, tenant_id, event.order_id, "arrived", event.arrived_at)
    route = await uow.plans.get_route(tenant_id, event.route_id)
    if route is None:
        return False
    if route.status == "planned":
        await uow.plans.set_route_status(tenant_id, route.id, "started")
    if event.delay_s <= late_threshold_s:
        return False
    await uow.replans.request(
        tenant_id, route.depot_id, route.service_date, at, "late", event_time=event.arrived_at
    )
    return True
