"""Load plans: which parcel goes in first, and which shelf or bag each stop's parcels sit on."""

from __future__ import annotations

import math
from dataclasses import replace

from planner.domain.model import Route, Vehicle


def shelf_labels(stop_count: int, zones: tuple[str, ...]) -> list[str]:
    """Labels in delivery order: the first stops fill zone A (nearest the door), then B, ..."""
    if stop_count == 0:
        return []
    zones = zones or ("A",)
    per_zone = math.ceil(stop_count / len(zones))
    return [f"{zones[i // per_zone]}{i % per_zone + 1}" for i in range(stop_count)]


def with_load_plan(route: Route, vehicle: Vehicle) -> Route:
    """The route with a label per stop and a loading order (last stop loaded first)."""
    labels = shelf_labels(len(route.visits), vehicle.zones)
    visits = tuple(replace(v, load_label=lab) for v, lab in zip(route.visits, labels, strict=True))
    loading = tuple(v.order_id for v in reversed(route.visits))
    return replace(route, visits=visits, loading_order=loading)
