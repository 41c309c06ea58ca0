"""Orders are accepted only where the platform has roads: inside the map's rectangle."""

from __future__ import annotations

from lastmile_common.events.orders import OrderSpec
from lastmile_common.routing import Bounds, Point

# The field a refusal names, as a JSON path into the order.
LOCATION_FIELD = "address.location"


class OutsideMap(Exception):
    """The order's point lies outside the map the platform plans on (answered 422)."""

    def __init__(self, bounds: Bounds) -> None:
        b = bounds
        super().__init__(
            f"outside the map's bounds (lat {b.min_lat:g} to {b.max_lat:g},"
            f" lon {b.min_lon:g} to {b.max_lon:g})"
        )
        self.field = LOCATION_FIELD


def check_on_map(spec: OrderSpec, bounds: Bounds) -> None:
    """Refuse an order whose delivery point the map does not cover."""
    location = spec.address.location
    if not bounds.contains(Point(location.lat, location.lon)):
        raise OutsideMap(bounds)
