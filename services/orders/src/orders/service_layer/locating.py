"""An order request's address to a position: the integrator's, or the geocoder's placement."""

from __future__ import annotations

from typing import Any, Protocol

from lastmile_common.events.base import GeoPoint
from lastmile_common.events.orders import Address, OrderRequest, OrderSpec, PostalAddress

from orders.domain.geocoding import Placement


class AddressPlacer(Protocol):
    """Places a written address (raises orders.domain.geocoding.AddressNotPlaced)."""

    def place(self, address: PostalAddress) -> Placement: ...


def locate(placer: AddressPlacer, request: OrderRequest) -> tuple[OrderSpec, dict[str, Any]]:
    """The order with a positioned address, and what the geocoder did for the timeline ({}:
    the integrator gave the position)."""
    given = request.address
    written = given.model_dump(exclude={"location"})
    if given.location is not None:
        address = Address(**written, location=given.location)
        note: dict[str, Any] = {}
    else:
        placed = placer.place(given)
        address = Address(
            **written,
            location=GeoPoint(lat=round(placed.lat, 7), lon=round(placed.lon, 7)),
            location_precision=placed.precision,
        )
        note = {"geocoded": {"precision": placed.precision, "matched": placed.matched}}
    # The request's validated parts are passed as they are: not validated a second time.
    return OrderSpec.model_validate({**dict(request), "address": address}), note
