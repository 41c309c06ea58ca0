"""Event handlers: keep our copy of orders up to date and enqueue the messages events call for."""

from __future__ import annotations

from dataclasses import replace

from lastmile_common.events.deliveries import (
    OrderDelivered,
    OrderDeliveryFailed,
    RouteStarted,
    StopArrived,
)
from lastmile_common.events.etas import EtaUpdated
from lastmile_common.events.orders import OrderCancelled, OrderCreated, OrderUpdated
from lastmile_common.events.routes import RoutePlanned

from notifier.domain import triggers
from notifier.domain.config import TenantConfig
from notifier.domain.model import KINDS, VISIT_KINDS, Intent, OrderView
from notifier.service_layer.deps import Deps, PendingOrder
from notifier.service_layer.enqueue import enqueue, prepare, tenant_config
from notifier.service_layer.new_orders import store_orders
from notifier.service_layer.ports import NewNotification, NewOrder, NotifierStore


async def order_created(store: NotifierStore, deps: Deps, tenant: str, event: OrderCreated) -> None:
    """Keep the contact; confirm the order (written with the batch's other new orders)."""
    config = await tenant_config(store, deps, tenant)
    if config is None:
        return
    zone = guessed = config.default_time_zone
    intent: Intent | None = None
    rows: list[NewNotification] = []
    if config.triggers.confirmed:
        # Render for the depot zone we know of and no tracking token yet (a new order has none);
        # the statement checks both against the stored order before taking the keys.
        guessed = await deps.cache.depot_zone(store, tenant, event.depot_id) or zone
        intent = Intent("confirmed", 1, event_time=event.created_at)
        rows = await prepare(store, deps, config, _incoming(tenant, event, guessed), intent)
    item = PendingOrder(NewOrder(tenant, event, zone, guessed, rows), config, intent, deps)
    if deps.batch is None or not await deps.batch.defer(store, item):
        await store_orders(store, [item])


def _incoming(tenant: str, event: OrderCreated, zone: str) -> OrderView:
    r = event.recipient
    return OrderView(
        tenant,
        event.order_id,
        external_id=event.external_id,
        depot_id=event.depot_id,
        name=r.name,
        phone=r.phone,
        email=r.email,
        channels=tuple(r.channels),
        locale=r.locale,
        time_zone=zone,
    )


async def order_updated(store: NotifierStore, deps: Deps, tenant: str, event: OrderUpdated) -> None:
    """Keep the newest contact details."""
    config = await tenant_config(store, deps, tenant)
    if config is not None:
        await store.orders.upsert_contact(tenant, event, config.default_time_zone)


async def order_cancelled(
    store: NotifierStore, deps: Deps, tenant: str, event: OrderCancelled
) -> None:
    """Nothing pending about a cancelled order goes out."""
    await store.notifications.drop_pending(tenant, event.order_id, KINDS, "order cancelled")
    await store.orders.set_progress(tenant, event.order_id, eta_closed="*")


async def route_planned(store: NotifierStore, deps: Deps, tenant: str, event: RoutePlanned) -> None:
    """Learn the depot's time zone and each order's planned window."""
    config = await tenant_config(store, deps, tenant)
    if config is None:
        return
    await store.depots.set_zone(tenant, event.depot_id, event.time_zone)
    stops = [
        (stop.order_id, *triggers.planned_window(stop.planned_arrival, config.triggers))
        for stop in event.stops
    ]
    await store.orders.set_plan(tenant, event.depot_id, event.route_id, stops)


async def route_started(store: NotifierStore, deps: Deps, tenant: str, event: RouteStarted) -> None:
    """Out for delivery: one message per order on the route, with its ETA window."""
    config = await tenant_config(store, deps, tenant)
    if config is None:
        return
    zone = config.default_time_zone
    by_order = {stop.order_id: stop for stop in event.stops}
    for stop in event.stops:
        await store.orders.set_progress(
            tenant,
            stop.order_id,
            tracking_token=stop.tracking_token,
            notified_eta=stop.eta,
            route_id=event.route_id,
        )
    orders = {o.order_id: o for o in await store.orders.on_route(tenant, event.route_id, zone)}
    # Only the orders the started route carries: an order an older plan put here may have left.
    for order_id in sorted(by_order):
        order = orders.get(order_id)
        if order is None:
            continue
        intent = triggers.out_for_delivery(
            by_order[order_id],
            order,
            event.route_id,
            event.route_version,
            config.triggers,
            event.started_at,
        )
        if intent is not None:
            await enqueue(store, deps, config, order, intent)


async def eta_updated(store: NotifierStore, deps: Deps, tenant: str, event: EtaUpdated) -> None:
    """Arriving soon, or a changed ETA beyond the threshold from the ETA last told."""
    config = await tenant_config(store, deps, tenant)
    if config is None:
        return
    order = await store.orders.load(tenant, event.order_id, config.default_time_zone, lock=True)
    if order is None or event.sequence <= order.eta_sequence:
        await store.orders.set_progress(
            tenant,
            event.order_id,
            tracking_token=event.tracking_token,
            eta_sequence=event.sequence,
            route_id=None if order else event.route_id,
        )
        return
    order = replace(order, tracking_token=event.tracking_token or order.tracking_token)
    intent, superseded = await _newest_eta_intent(store, event, order, config)
    memory = triggers.remember(event, order, intent, superseded)
    await store.orders.set_eta_memory(
        tenant, event.order_id, event.sequence, event.tracking_token, memory
    )
    if intent is not None:
        await enqueue(store, deps, config, order, intent)


async def _newest_eta_intent(
    store: NotifierStore, event: EtaUpdated, order: OrderView, config: TenantConfig
) -> tuple[Intent | None, bool]:
    """A newer estimate drops a still-pending "ETA changed" (never sent late); then decide."""
    if order.eta_closed_for(event.route_id):
        return None, False
    kept = triggers.eta_update(event, order, config.triggers)
    if_dropped = triggers.eta_update(event, order, config.triggers, superseded=True)
    reason = f"superseded by {if_dropped.kind}" if if_dropped else "superseded by a newer ETA"
    dropped = await store.notifications.drop_pending(
        order.tenant_id, order.order_id, ("eta_changed",), reason
    )
    return (if_dropped, True) if dropped else (kept, False)


async def stop_arrived(store: NotifierStore, deps: Deps, tenant: str, event: StopArrived) -> None:
    """Only the tracking token matters here."""
    if event.tracking_token:
        await store.orders.set_progress(tenant, event.order_id, tracking_token=event.tracking_token)


async def order_delivered(
    store: NotifierStore, deps: Deps, tenant: str, event: OrderDelivered
) -> None:
    """Delivered, with the proof summary; visit messages still pending are obsolete."""
    config = await tenant_config(store, deps, tenant)
    if config is not None:
        intent = triggers.delivered(event, config.triggers)
        await store.orders.set_progress(
            tenant, event.order_id, tracking_token=event.tracking_token, eta_closed="*"
        )
        await _final(store, deps, config, tenant, event.order_id, intent)


async def order_delivery_failed(
    store: NotifierStore, deps: Deps, tenant: str, event: OrderDeliveryFailed
) -> None:
    """Delivery failed, with what happens next."""
    config = await tenant_config(store, deps, tenant)
    if config is not None:
        intent = triggers.delivery_failed(event, config.triggers)
        # Only this route's visit is over: a new attempt on another route tells its ETAs again.
        await store.orders.set_progress(
            tenant,
            event.order_id,
            tracking_token=event.tracking_token,
            eta_closed=event.route_id,
        )
        await _final(store, deps, config, tenant, event.order_id, intent)


async def _final(
    store: NotifierStore,
    deps: Deps,
    config: TenantConfig,
    tenant: str,
    order_id: str,
    intent: Intent | None,
) -> None:
    await store.notifications.drop_pending(tenant, order_id, VISIT_KINDS, "visit over")
    order = await store.orders.load(tenant, order_id, config.default_time_zone)
    if intent is not None and order is not None:
        await enqueue(store, deps, config, order, intent)
