"""Builders for service-layer tests on fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lastmile_common.events.orders import OrderCreated
from planner.domain.depots import DepotSpec, StoredDepot, StoredVehicle, VehicleSpec

T = "tenant1"
ZONE = "Europe/Vaduz"
DAY = date(2030, 5, 6)


def at(hhmm: str, day: date = DAY) -> datetime:
    """A local time of a day in Vaduz, as UTC."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def depot(depot_id: str = "d1", **kw: Any) -> StoredDepot:
    """A depot in Vaduz (on the embedded map)."""
    spec = {
        "name": "Vaduz",
        "location": {"lat": 47.1410, "lon": 9.5215},
        "time_zone": ZONE,
        "opening_hours": {"start": "06:00", "end": "21:00"},
        "cutoff_times": ["05:00"],
    } | kw
    return StoredDepot(T, depot_id, DepotSpec.model_validate(spec))


def van(vehicle_id: str = "v1", depot_id: str = "d1", **kw: Any) -> StoredVehicle:
    """A van working 07:00-19:00."""
    spec = {
        "name": vehicle_id,
        "kind": "van",
        "capacity": {"weight_kg": 800, "parcels": 100},
        "shift": {"start": "07:00", "end": "19:00"},
        "cost_per_km": 0.4,
    } | kw
    return StoredVehicle(T, vehicle_id, depot_id, VehicleSpec.model_validate(spec))


def order(
    order_id: str,
    depot_id: str = "d1",
    *,
    dlat: float = 0.01,
    version: int = 1,
    weight_kg: float = 5.0,
    start: str = "08:00",
    end: str = "18:00",
    day: date = DAY,
    location: tuple[float, float] | None = None,
) -> OrderCreated:
    """An order.created near the depot (north of it, up the Rhine valley, for dlat > 0), or at
    `location` (lat, lon)."""
    lat, lon = location or (47.1410 + dlat, 9.5215 - dlat / 4)
    return OrderCreated.model_validate(
        {
            "order_id": order_id,
            "external_id": order_id,
            "depot_id": depot_id,
            "status": "created",
            "version": version,
            "created_at": datetime(2030, 1, 1, tzinfo=UTC),
            "recipient": {"name": "Ada", "email": "ada@example.com"},
            "address": {
                "line1": "Street 1",
                "city": "Vaduz",
                "country": "LI",
                "location": {"lat": lat, "lon": lon},
            },
            "windows": [{"start": at(start, day), "end": at(end, day)}],
            "items": [{"sku": "box", "quantity": 1, "weight_kg": weight_kg}],
            "total_weight_kg": weight_kg,
            "total_volume_m3": 0.0,
            "total_parcels": 1,
        }
    )
