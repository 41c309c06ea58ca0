"""An integrator's order.submitted: the use case behind the Kafka consumer."""

from __future__ import annotations

import pytest
from lastmile_common.events.orders import OrderCreated, OrderRequest, PostalAddress
from orders.domain.geocoding import AddressNotPlaced, Placement
from orders.service_layer.submitted import UnknownTenant, place_submitted

from ...fakes import MAP, FakeOrdersStore
from .test_handlers import BODY


class _NoGeocoder:
    def place(self, address: PostalAddress) -> Placement:
        raise AddressNotPlaced("no index in this test")


async def test_an_unknown_tenant_is_refused_and_nothing_is_written() -> None:
    store = FakeOrdersStore()
    with pytest.raises(UnknownTenant):
        await place_submitted(
            store,
            "t-unknown",
            OrderRequest.model_validate(BODY),
            bounds=MAP,
            geocoder=_NoGeocoder(),
        )
    assert not store.orders
    assert not store.published


async def test_a_known_tenants_order_is_placed_like_one_over_http() -> None:
    store = FakeOrdersStore()
    store.tenants.add("t1")
    accepted = await place_submitted(
        store, "t1", OrderRequest.model_validate(BODY), bounds=MAP, geocoder=_NoGeocoder()
    )
    assert accepted.created
    [(event, tenant, _)] = store.published
    assert isinstance(event, OrderCreated)
    assert tenant == "t1"
