"""The orders use cases. Each runs inside one transaction: state, timeline and outbox together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lastmile_common.events.base import TimeWindow
from lastmile_common.events.orders import OrderSpec
from lastmile_common.routing import Bounds

from orders.domain.idempotency import request_fingerprint
from orders.domain.model import Order
from orders.domain.on_map import check_on_map
from orders.service_layer.ports import CreateRaced, KnownOrder, NewOrder, OrdersStore


class IdempotencyConflict(Exception):
    """The idempotency key was used before with another request body."""


class DuplicateExternalId(Exception):
    """The tenant already has an order with this external id (a different request)."""

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id


class OrderNotFound(Exception):
    """No such order for this tenant."""


@dataclass(frozen=True)
class Accepted:
    """The outcome of a create: the order and whether this call created it."""

    order: Order
    created: bool


async def place_order(
    store: OrdersStore,
    tenant_id: str,
    spec: OrderSpec,
    *,
    bounds: Bounds,
    idempotency_key: str | None = None,
    source: str = "api",
    note: dict[str, Any] | None = None,
) -> Accepted:
    """Accept an order once: a repeated key or external id with the same body returns the original.

    An order outside the map's `bounds` is refused (`OutsideMap`): nothing could plan it.
    `note` joins the source in the order's first timeline entry (e.g. how it was geocoded).
    """
    check_on_map(spec, bounds)
    fingerprint = request_fingerprint(spec)
    order = Order.accept(tenant_id, spec)
    new = NewOrder(
        order=order,
        fingerprint=fingerprint,
        idempotency_key=idempotency_key,
        timeline_kind="order.created",
        timeline_detail={"source": source, **(note or {})},
        event=order.created_event(),
        event_key=spec.depot_id,
    )
    known = await _add_once(store, new)
    if known is None:
        return Accepted(order, created=True)
    if known.key_fingerprint is not None:
        if known.key_fingerprint != fingerprint:
            raise IdempotencyConflict(idempotency_key)
    elif request_fingerprint(known.order.spec) != fingerprint:
        raise DuplicateExternalId(known.order.id)
    return Accepted(known.order, created=False)


async def _add_once(store: OrdersStore, new: NewOrder) -> KnownOrder | None:
    """Add the order, trying once more if a concurrent twin won the race (then it is known).

    Inside a caller's transaction the second try fails too and the caller's retry takes over.
    """
    try:
        return await store.add_unless_known(new)
    except CreateRaced:
        return await store.add_unless_known(new)


async def cancel_order(store: OrdersStore, tenant_id: str, order_id: str, reason: str) -> Order:
    """Cancel an order that has not left the depot."""
    async with store.transaction():
        order = await _load(store, tenant_id, order_id)
        cancelled = order.cancel()
        if cancelled is order:
            return order
        await store.save(cancelled)
        detail = {"reason": reason}
        await store.add_timeline(order.id, cancelled.updated_at, "order.cancelled", detail)
        await store.publish(
            cancelled.cancelled_event(reason),
            tenant_id=tenant_id,
            key=order.spec.depot_id,
            subject=order.id,
        )
    return cancelled


async def change_windows(
    store: OrdersStore, tenant_id: str, order_id: str, windows: tuple[TimeWindow, ...]
) -> Order:
    """Replace an open order's delivery windows."""
    async with store.transaction():
        order = await _load(store, tenant_id, order_id)
        changed = order.change_windows(windows)
        await store.save(changed)
        await store.add_timeline(
            order.id, changed.updated_at, "order.updated", {"changed": ["windows"]}
        )
        await store.publish(
            changed.updated_event(("windows",)),
            tenant_id=tenant_id,
            key=order.spec.depot_id,
            subject=order.id,
        )
    return changed


async def record_progress(
    store: OrdersStore,
    tenant_id: str,
    order_id: str,
    event_type: str,
    at: datetime | None,
    detail: dict[str, object],
    event_id: str,
) -> None:
    """Add a delivery or notification event to the order's timeline and move its status."""
    order = await store.get_for_update(tenant_id, order_id)
    if order is None:
        return  # not ours (another tenant's or an unknown order): nothing to record
    await store.add_timeline(order_id, at or datetime.now(UTC), event_type, detail, event_id)
    moved = order.progress(event_type)
    if moved is not order:
        await store.save(moved)


async def record_unassigned(
    store: OrdersStore,
    tenant_id: str,
    order_id: str,
    at: datetime | None,
    detail: dict[str, Any],
    event_id: str,
) -> None:
    """Put the planner's reason for leaving the order out on its timeline, unless its latest
    such entry already says the same for the same plan (a re-plan republishes every reason)."""
    if await store.get(tenant_id, order_id) is None:
        return  # not ours
    last = await store.last_timeline_detail(order_id, "order.unassigned")
    if last is not None and all(last.get(k) == detail.get(k) for k in _SAME_UNASSIGNED):
        return
    await store.add_timeline(
        order_id, at or datetime.now(UTC), "order.unassigned", detail, event_id
    )


_SAME_UNASSIGNED = ("plan_id", "reason_code", "reason")


async def _load(store: OrdersStore, tenant_id: str, order_id: str) -> Order:
    # Locked: two changes of one order racing each other (cancel and new windows) run one
    # after the other, the second on the first's result; otherwise one would be lost.
    order = await store.get_for_update(tenant_id, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order
