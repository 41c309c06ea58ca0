"""Synthetic routes and GPS traces: for tests, the benchmark and demos (no I/O)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from lastmile_common.events.base import GeoPoint
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned
from lastmile_common.geo import haversine_m

from tracking.domain.fixes import Fix

DEPOT = (52.5200, 13.4050)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """A point some metres north and east of another."""
    dlat = north_m / 111_195.0
    dlon = east_m / (111_195.0 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def planned_route(
    route_id: str,
    vehicle_id: str,
    start: datetime,
    *,
    stops: int = 3,
    spacing_m: float = 1500.0,
    service_s: int = 120,
    version: int = 1,
    depot: tuple[float, float] = DEPOT,
    order_prefix: str = "",
) -> RoutePlanned:
    """A route heading east from the depot with evenly spaced stops, planned at 8 m/s."""
    planned: list[PlannedStop] = []
    clock, here = start, depot
    for i in range(1, stops + 1):
        lat, lon = offset(depot[0], depot[1], 0.0, spacing_m * i)
        clock += timedelta(seconds=haversine_m(*here, lat, lon) * 1.3 / 8.0)
        planned.append(
            PlannedStop(
                stop_id=f"{route_id}-s{i}",
                sequence=i,
                order_id=f"{order_prefix}{route_id}-o{i}",
                location=GeoPoint(lat=lat, lon=lon),
                planned_arrival=clock,
                planned_departure=clock + timedelta(seconds=service_s),
                service_time_s=service_s,
            )
        )
        clock += timedelta(seconds=service_s)
        here = (lat, lon)
    return RoutePlanned(
        plan_id=f"plan-{route_id}",
        route_id=route_id,
        depot_id="depot-1",
        vehicle_id=vehicle_id,
        vehicle_kind="van",
        version=version,
        service_date=start.date().isoformat(),
        depot_location=GeoPoint(lat=depot[0], lon=depot[1]),
        start_time=start,
        end_time=clock + timedelta(hours=1),
        distance_m=spacing_m * stops * 1.3,
        duration_s=(clock - start).total_seconds(),
        load=Load(parcels=stops),
        stops=tuple(planned),
    )


@dataclass(frozen=True)
class Leg:
    """Drive to a point at a speed, then wait there."""

    lat: float
    lon: float
    speed_mps: float = 8.0
    dwell_s: float = 0.0


def drive(
    start: datetime, origin: tuple[float, float], legs: list[Leg], every_s: float = 5.0
) -> list[Fix]:
    """A clean trace: straight lines between points, a fix every `every_s` seconds."""
    fixes = [Fix(start, origin[0], origin[1], accuracy_m=5.0, speed_mps=0.0)]
    clock, (lat, lon) = start, origin
    for leg in legs:
        distance = haversine_m(lat, lon, leg.lat, leg.lon)
        steps = max(1, math.ceil(distance / leg.speed_mps / every_s))
        for step in range(1, steps + 1):
            f = step / steps
            clock += timedelta(seconds=distance / leg.speed_mps / steps)
            fixes.append(
                Fix(
                    clock,
                    lat + (leg.lat - lat) * f,
                    lon + (leg.lon - lon) * f,
                    accuracy_m=5.0,
                    speed_mps=leg.speed_mps,
                )
            )
        lat, lon = leg.lat, leg.lon
        waited = 0.0
        while waited < leg.dwell_s:
            waited += every_s
            clock += timedelta(seconds=every_s)
            fixes.append(Fix(clock, lat, lon, accuracy_m=5.0, speed_mps=0.0))
    return fixes


def route_trace(
    route: RoutePlanned,
    start: datetime,
    *,
    order: list[int] | None = None,
    dwell_s: float = 90.0,
    speed_mps: float = 8.0,
    every_s: float = 5.0,
) -> list[Fix]:
    """A vehicle driving a route's stops (in `order`, 1-based sequences) and dwelling at each."""
    by_seq = {s.sequence: s for s in route.stops}
    visit = order or sorted(by_seq)
    legs = [Leg(by_seq[i].location.lat, by_seq[i].location.lon, speed_mps, dwell_s) for i in visit]
    depot = (route.depot_location.lat, route.depot_location.lon)
    return drive(start, depot, legs, every_s)
