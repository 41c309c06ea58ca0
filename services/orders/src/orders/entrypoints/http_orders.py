"""The orders API: create (idempotent), get with timeline, list, cancel, change the window."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from lastmile_common.http.problems import Problem

from orders.adapters.queries import list_orders, order_with_timeline
from orders.domain.geocoding import AddressNotPlaced
from orders.domain.model import OrderRuleViolation
from orders.domain.on_map import OutsideMap
from orders.entrypoints.deps import (
    ConnDep,
    GeocoderDep,
    MapBoundsDep,
    SettingsDep,
    StoreDep,
    TenantDep,
    outside_map_problem,
)
from orders.entrypoints.schemas import CancelOrder, ChangeWindows, CreateOrder, OrderOut, OrderPage
from orders.service_layer import handlers
from orders.service_layer.locating import locate

router = APIRouter(prefix="/v1/orders", tags=["orders"])
Status = Literal["created", "planned", "out_for_delivery", "delivered", "failed", "cancelled"]


def create_problem(exc: handlers.IdempotencyConflict | handlers.DuplicateExternalId) -> Problem:
    """The 409 a refused create answers with."""
    if isinstance(exc, handlers.IdempotencyConflict):
        return Problem(
            409,
            "Idempotency-Key reused",
            "this Idempotency-Key was used with a different body",
            errors=[
                {"field": "header.Idempotency-Key", "message": "used before with another body"}
            ],
        )
    return Problem(
        409,
        "Duplicate external_id",
        f"order {exc.order_id} already has this external_id",
        errors=[{"field": "body.external_id", "message": "already used"}],
    )


def address_problem(exc: AddressNotPlaced) -> Problem:
    """The 422 of an address the geocoder cannot place (never a guessed point)."""
    return Problem(
        422,
        "Address not found",
        f"address: {exc}",
        errors=[{"field": "body.address", "message": str(exc)}],
    )


@router.post(
    "",
    status_code=201,
    response_model=OrderOut,
    responses={200: {"model": OrderOut, "description": "Already accepted (same Idempotency-Key)"}},
)
async def create_order(
    body: CreateOrder,
    tenant: TenantDep,
    store: StoreDep,
    bounds: MapBoundsDep,
    geocoder: GeocoderDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> OrderOut:
    """Accept an order; repeat the request with the same Idempotency-Key safely. Without
    `address.location` the address is geocoded on the map (422 naming `body.address` if it
    cannot be placed); a point outside the map is refused (422 naming `body.address.location`)."""
    try:
        spec, note = locate(geocoder, body)
        accepted = await handlers.place_order(
            store,
            tenant,
            spec,
            bounds=bounds,
            idempotency_key=idempotency_key,
            source="api",
            note=note,
        )
    except AddressNotPlaced as exc:
        raise address_problem(exc) from None
    except (handlers.IdempotencyConflict, handlers.DuplicateExternalId) as exc:
        raise create_problem(exc) from None
    except OutsideMap as exc:
        raise outside_map_problem(exc, f"body.{exc.field}") from None
    if not accepted.created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/orders/{accepted.order.id}"
    return OrderOut.of(accepted.order)


@router.get("/{order_id}", response_model=OrderOut)
async def get_order(
    order_id: str, tenant: TenantDep, conn: ConnDep, settings: SettingsDep
) -> OrderOut:
    """An order of the caller's tenant with its timeline; a delivery's entry links its proofs
    (`proofs[].url`: tracking serves them to the tenant's API key)."""
    found = await order_with_timeline(conn, tenant, order_id)
    if found is None:
        raise Problem(404, "Not Found", f"no order {order_id}")
    return OrderOut.of(*found, proof_base_url=settings.proof_base_url)


@router.get("", response_model=OrderPage)
async def list_tenant_orders(
    tenant: TenantDep,
    conn: ConnDep,
    status: Status | None = None,
    depot_id: str | None = None,
    created_after: datetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OrderPage:
    """The caller's orders, filtered, in creation order, a page at a time."""
    after = _decode_cursor(cursor)
    orders, next_seq = await list_orders(
        conn,
        tenant,
        status=status,
        depot_id=depot_id,
        created_after=created_after,
        after_seq=after,
        limit=limit,
    )
    next_cursor = base64.urlsafe_b64encode(str(next_seq).encode()).decode() if next_seq else None
    return OrderPage(items=[OrderOut.of(order) for order in orders], next_cursor=next_cursor)


@router.post("/{order_id}/cancel", response_model=OrderOut)
async def cancel(
    order_id: str, tenant: TenantDep, store: StoreDep, body: CancelOrder | None = None
) -> OrderOut:
    """Cancel an order that has not left the depot."""
    try:
        order = await handlers.cancel_order(store, tenant, order_id, body.reason if body else "")
    except handlers.OrderNotFound:
        raise Problem(404, "Not Found", f"no order {order_id}") from None
    except OrderRuleViolation as exc:
        raise Problem(409, "Conflict", str(exc)) from None
    return OrderOut.of(order)


@router.put("/{order_id}/windows", response_model=OrderOut)
async def change_window(
    order_id: str, body: ChangeWindows, tenant: TenantDep, store: StoreDep
) -> OrderOut:
    """Replace the delivery windows of an open order."""
    try:
        order = await handlers.change_windows(store, tenant, order_id, body.windows)
    except handlers.OrderNotFound:
        raise Problem(404, "Not Found", f"no order {order_id}") from None
    except OrderRuleViolation as exc:
        raise Problem(409, "Conflict", str(exc)) from None
    except ValueError as exc:
        raise Problem(
            422,
            "Invalid windows",
            str(exc),
            errors=[{"field": "body.windows", "message": str(exc)}],
        ) from None
    return OrderOut.of(order)


def _decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except ValueError:
        raise Problem(
            400,
            "Bad cursor",
            "cursor is not one this API returned",
            errors=[{"field": "query.cursor", "message": "invalid"}],
        ) from None
