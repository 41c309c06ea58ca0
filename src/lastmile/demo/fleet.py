"""The demo depot and its mixed fleet, created through the planner's API."""

from __future__ import annotations

from typing import Any

import httpx

from lastmile.demo.places import DEPOT_ID, DEPOT_LOCATION, DEPOT_NAME, TIME_ZONE
from lastmile.demo.platform import check

DEPOT: dict[str, Any] = {
    "id": DEPOT_ID,
    "name": DEPOT_NAME,
    "location": {"lat": DEPOT_LOCATION[0], "lon": DEPOT_LOCATION[1]},
    "time_zone": TIME_ZONE,
    "opening_hours": {"start": "06:30", "end": "21:00"},
    "loading_time_min": 10,
    "cutoff_times": [],
}
LUNCH = [{"duration_min": 30, "earliest_start": "12:00", "latest_start": "13:30"}]


def fleet(vans: int = 4) -> list[dict[str, Any]]:
    """Own vans, an EV, two gig drivers with blocks, a partner-fleet van and a drone."""
    van = {"weight_kg": 900, "volume_m3": 8, "parcels": 140}
    vehicles: list[dict[str, Any]] = [
        {"name": f"Van {n}", "kind": "van", "capacity": van, "skills": ["two_person"] if n == 1 else [],
         "cost_per_km": 0.35, "cost_per_hour": 24.0, "fixed_cost": 40.0,
         "shift": {"start": "07:30", "end": "17:30"}, "breaks": LUNCH, "driver_id": f"drv-van-{n}"}
        for n in range(1, vans + 1)
    ]  # fmt: skip
    vehicles += [
        {"name": "eVan 1 (chilled)", "kind": "ev", "skills": ["refrigerated"],
         "capacity": {"weight_kg": 700, "volume_m3": 6, "parcels": 110}, "battery_range_km": 160,
         "cost_per_km": 0.12, "cost_per_hour": 24.0, "fixed_cost": 30.0,
         "shift": {"start": "08:00", "end": "18:00"}, "breaks": LUNCH, "driver_id": "drv-ev-1"},
        {"name": "Gig driver Ayla (morning block)", "kind": "gig", "driver_id": "gig-ayla",
         "capacity": {"weight_kg": 150, "volume_m3": 1.2, "parcels": 35},
         "cost_per_km": 0.2, "cost_per_hour": 18.0, "shift": {"start": "08:00", "end": "12:00"}},
        {"name": "Gig driver Tom (afternoon block)", "kind": "gig", "driver_id": "gig-tom",
         "capacity": {"weight_kg": 150, "volume_m3": 1.2, "parcels": 35},
         "cost_per_km": 0.2, "cost_per_hour": 18.0, "shift": {"start": "14:00", "end": "18:00"}},
        {"name": "CityLink partner van", "kind": "partner", "carrier_id": "citylink",
         "capacity": {"weight_kg": 800, "volume_m3": 7, "parcels": 120},
         "cost_per_km": 0.5, "cost_per_hour": 30.0, "fixed_cost": 60.0,
         "shift": {"start": "09:00", "end": "17:00"}},
        {"name": "Drone D1", "kind": "drone", "capacity": {"weight_kg": 2.5, "parcels": 1},
         "speed_kmh": 54, "max_radius_km": 5.0, "cost_per_km": 0.05,
         "shift": {"start": "09:00", "end": "16:00"}},
    ]  # fmt: skip
    return vehicles


async def create_fleet(
    planner: httpx.AsyncClient, vans: int = 4
) -> tuple[str, list[dict[str, Any]]]:
    """Create the depot and its vehicles; returns the depot id and the vehicles as stored."""
    depot = check(await planner.post("/v1/depots", json=DEPOT))
    depot_id = str(depot.get("depot_id") or depot["id"])
    created = []
    for vehicle in fleet(vans):
        vehicle["id"] = vehicle["name"].split(" (")[0].lower().replace(" ", "-")
        created.append(check(await planner.post(f"/v1/depots/{depot_id}/vehicles", json=vehicle)))
    return depot_id, created
