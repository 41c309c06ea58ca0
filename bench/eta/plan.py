"""A day's routes on the map for the ETA benchmark: addresses on real streets, vans by sweep,
stops by nearest neighbour, times and shapes from the road engine (no planner service needed)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polyline
from lastmile_common.events.base import GeoPoint, TimeWindow
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned
from lastmile_common.routing import Point, Profile, Router

from lastmile.demo.places import DEPOT_ID, DEPOT_LOCATION, TIME_ZONE, random_place

LatLon = tuple[float, float]


@dataclass(frozen=True)
class LegPlan:
    """One leg as planned: its road shape and the engine's seconds at the planned departure."""

    path: tuple[LatLon, ...]
    planned_s: float


@dataclass(frozen=True)
class PlannedDay:
    """The routes of one day, with the roads of each leg (the last leg returns to the depot)."""

    routes: tuple[tuple[RoutePlanned, tuple[LegPlan, ...]], ...]


def _leg(router: Router, a: LatLon, b: LatLon, depart: datetime) -> LegPlan:
    road = router.route([Point(*a), Point(*b)], depart, Profile.CAR)
    return LegPlan(tuple(polyline.decode(road.polyline, 5)), road.duration_s)


def _nearest_first(router: Router, depot: LatLon, places: list[LatLon], at: datetime) -> list[int]:
    matrix = router.matrix([Point(*p) for p in [depot, *places]], at, Profile.CAR)
    order: list[int] = []
    here, left = 0, set(range(1, len(places) + 1))
    while left:
        here = min(left, key=lambda j: matrix.duration(here, j))
        left.discard(here)
        order.append(here - 1)
    return order


def _window(rng: random.Random, arrival: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    local = arrival.astimezone(zone)
    day = datetime.combine(local.date(), time(0), zone)
    if rng.random() < 0.7:
        return day + timedelta(hours=8), day + timedelta(hours=18)
    hour = local.hour
    return day + timedelta(hours=hour - 1), day + timedelta(hours=hour + 2)


def plan_day(router: Router, seed: int, orders: int, vans: int, service_date: date) -> PlannedDay:
    """`orders` addresses split among `vans` routes leaving the depot at 08:00 local time."""
    rng = random.Random(seed)
    zone = ZoneInfo(TIME_ZONE)
    start = datetime.combine(service_date, time(8), zone)
    places = [random_place(rng) for _ in range(orders)]
    depot = DEPOT_LOCATION
    places.sort(key=lambda p: math.atan2(p.lat - depot[0], p.lon - depot[1]))
    size = math.ceil(orders / vans)
    routes = []
    for van in range(vans):
        chunk = places[van * size : (van + 1) * size]
        if not chunk:
            continue
        points = [(p.lat, p.lon) for p in chunk]
        order = _nearest_first(router, depot, points, start)
        route_id = f"d{seed}-r{van + 1}"
        clock, here = start, depot
        stops, legs = [], []
        for sequence, index in enumerate(order, start=1):
            leg = _leg(router, here, points[index], clock)
            legs.append(leg)
            arrival = clock + timedelta(seconds=leg.planned_s)
            service = rng.choice((90, 120, 180, 240))
            opens, closes = _window(rng, arrival, zone)
            stops.append(
                PlannedStop(
                    stop_id=f"{route_id}-s{sequence}",
                    sequence=sequence,
                    order_id=f"{route_id}-o{sequence}",
                    location=GeoPoint(lat=points[index][0], lon=points[index][1]),
                    planned_arrival=arrival,
                    planned_departure=arrival + timedelta(seconds=service),
                    service_time_s=service,
                    windows=(TimeWindow(start=opens, end=closes),),
                )
            )
            clock, here = arrival + timedelta(seconds=service), points[index]
        back = _leg(router, here, depot, clock)
        legs.append(back)
        end = clock + timedelta(seconds=back.planned_s)
        event = _event(router, seed, van, start, end, stops)
        routes.append((event, tuple(legs)))
    return PlannedDay(tuple(routes))


def _event(
    router: Router, seed: int, van: int, start: datetime, end: datetime, stops: list[PlannedStop]
) -> RoutePlanned:
    """The route event tracking receives, with its road shape from the depot and back."""
    depot = DEPOT_LOCATION
    shape = router.route(
        [Point(*depot), *(Point(s.location.lat, s.location.lon) for s in stops), Point(*depot)],
        start,
        Profile.CAR,
    )
    return RoutePlanned(
        plan_id=f"plan-d{seed}",
        route_id=f"d{seed}-r{van + 1}",
        depot_id=DEPOT_ID,
        vehicle_id=f"van-{van + 1}",
        vehicle_kind="van",
        version=1,
        service_date=start.date().isoformat(),
        time_zone=TIME_ZONE,
        depot_location=GeoPoint(lat=depot[0], lon=depot[1]),
        start_time=start,
        end_time=end + timedelta(hours=1),
        distance_m=shape.distance_m,
        duration_s=(end - start).total_seconds(),
        load=Load(parcels=len(stops)),
        stops=tuple(stops),
        geometry=shape.polyline,
    )
