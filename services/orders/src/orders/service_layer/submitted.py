"""An integrator's order.submitted from Kafka: the tenant known, the address placed, the order
placed like one over HTTP."""

from __future__ import annotations

from lastmile_common.events.orders import OrderRequest
from lastmile_common.routing import Bounds

from orders.service_layer import handlers
from orders.service_layer.locating import AddressPlacer, locate
from orders.service_layer.ports import OrdersStore


class UnknownTenant(Exception):
    """The event names a tenant this deployment does not have."""


async def place_submitted(
    store: OrdersStore,
    tenant_id: str,
    request: OrderRequest,
    *,
    bounds: Bounds,
    geocoder: AddressPlacer,
) -> handlers.Accepted:
    """Place an integrator's order (raises UnknownTenant, AddressNotPlaced, OutsideMap or
    DuplicateExternalId for an event that can never succeed)."""
    if not await store.tenant_exists(tenant_id):
        raise UnknownTenant(f"unknown tenant {tenant_id!r}")
    spec, note = locate(geocoder, request)
    return await handlers.place_order(
        store, tenant_id, spec, bounds=bounds, source="kafka", note=note
    )
