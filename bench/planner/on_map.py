"""Realistic depots on the real map: `python -m bench.planner --on-map --sizes 200,1000`.

A day at the demo's Schaan hub on the shipped Liechtenstein extract (© OpenStreetMap
contributors, ODbL): orders at the extract's own addresses (the geocoder's index: houses, and
streets where a house number is missing), three capacity dimensions, 2-hour and all-day
windows, priorities, skills (fridge, age check), a mixed fleet (vans with a fridge and
lunch breaks, EVs with range limits and breaks, a partner carrier from its Triesen hub on a
shorter shift, gig drivers in their own cars on a 5-hour block) and travel times from the road engine per time
bucket (morning and evening rush). The problem goes through the planner's own `on_roads`, as
the service's plans do; then `solve` and OR-Tools guided local search alone at equal time, each
plan through the checker, cost recomputed from the routes (`versus.plan_cost`).
"""

from __future__ import annotations

import random
from datetime import date

from lastmile_common.geocoding.index import Spot
from lastmile_common.geocoding.prepare import prepare_index
from lastmile_common.geocoding.settings import GeocodingSettings
from lastmile_common.routing import RoutingSettings, open_router
from planner.domain.model import (
    Break,
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.ruin_recreate import warm_up
from planner.domain.search import default_settings, solve_with
from planner.domain.solver import solve
from planner.domain.travel import GreatCircleTravelTimes
from planner.service_layer.roads import on_roads

from bench.planner.versus import print_row
from lastmile.demo.places import DEPOT_ID, DEPOT_LOCATION, TIME_ZONE

HOUR = 3600
DAY = date(2026, 12, 2)  # a Wednesday
HUB = Location(*DEPOT_LOCATION)  # the demo's depot, Schaan's industrial area
PARTNER_HUB = Location(47.1030, 9.5260)  # a partner carrier in Triesen


def _addresses() -> list[Spot]:
    settings = GeocodingSettings()
    index = prepare_index(settings.map_file, settings.cache_dir).index
    spots = [s for found in index.houses.values() for s in found]
    spots += [s for found in index.streets.values() for s in found]
    return sorted(spots, key=lambda s: (s.name, s.lat, s.lon))


def _order(k: int, spot: Spot, rng: random.Random) -> Order:
    if rng.random() < 0.25:
        windows = (TimeWindow(8 * HOUR, 19 * HOUR),)  # any time today
    else:
        start = rng.randrange(8, 17) * HOUR
        windows = (TimeWindow(start, start + 2 * HOUR),)
    bulky = rng.random() < 0.1
    skills = frozenset({"fridge"}) if k % 20 == 0 else frozenset()
    skills |= frozenset({"age_check"}) if k % 25 == 0 else frozenset()
    return Order(
        f"o{k}",
        Location(spot.lat, spot.lon),
        Capacity(
            rng.uniform(20, 80) if bulky else rng.uniform(0.3, 12), rng.uniform(0.002, 0.06), 1
        ),
        rng.choice((90, 120, 180, 240, 300)) + (300 if bulky else 0),
        windows,
        skills=skills,
        priority=rng.choice((0, 0, 0, 1, 2)),
    )


def _fleet(stops: int) -> tuple[Vehicle, ...]:
    lunch = (Break(30 * 60, 12 * HOUR, 14 * HOUR),)
    shift = TimeWindow(7 * HOUR, 19 * HOUR + 30 * 60)
    fleet: list[Vehicle] = []
    for k in range(max(4, stops // 28)):
        kind = k % 4
        if kind == 0:
            fleet.append(
                Vehicle(
                    f"van{k}",
                    VehicleKind.VAN,
                    Capacity(900, 12, 120),
                    shift,
                    frozenset({"fridge", "age_check"}),
                    0.4,
                    28,
                    60,
                    breaks=lunch,
                )
            )
        elif kind == 1:
            fleet.append(
                Vehicle(
                    f"ev{k}",
                    VehicleKind.EV,
                    Capacity(600, 8, 80),
                    shift,
                    frozenset({"age_check"}),
                    0.15,
                    28,
                    45,
                    breaks=lunch,
                    battery_range_m=120_000,
                )
            )
        elif kind == 2:
            fleet.append(
                Vehicle(
                    f"partner{k}",
                    VehicleKind.PARTNER,
                    Capacity(900, 12, 120),
                    TimeWindow(9 * HOUR, 18 * HOUR),
                    frozenset(),
                    0.55,
                    32,
                    90,
                    PARTNER_HUB,
                    PARTNER_HUB,
                    lunch,
                    carrier_id="carrier-1",
                )
            )
        else:
            # A gig driver books a block: the shift is the limit.
            fleet.append(Vehicle(f"gig{k}", VehicleKind.GIG, Capacity(250, 2, 30),
                                 TimeWindow(10 * HOUR, 15 * HOUR), frozenset(), 0.3, 22, 25))  # fmt: skip
    return tuple(fleet)


def map_day(stops: int, seed: int = 7) -> PlanningProblem:
    """The day in plane geometry (travel set by `on_roads`)."""
    rng = random.Random(seed)
    pool = _addresses()
    orders = tuple(_order(k, rng.choice(pool), rng) for k in range(stops))
    depot = Depot(DEPOT_ID, HUB, TimeWindow(6 * HOUR, 22 * HOUR), 900)
    return PlanningProblem(depot, _fleet(stops), orders, GreatCircleTravelTimes())


def run_on_map(sizes: list[int], time_limit_s: float, seed: int = 7) -> int:
    """Per size: `solve` and OR-Tools alone on the day with road travel; non-zero if a plan
    fails the checker."""
    warm_up()  # compiling the search is not part of any plan's time
    router = open_router(RoutingSettings())
    try:
        print(f"{'run':<22}{'vehicles':>9}{'unplaced':>9}{'cost':>11}{'secs':>7}  checked")
        ok = True
        for n in sizes:
            day = on_roads(router, map_day(n, seed), DAY, TIME_ZONE)
            settings = default_settings(n, time_limit_s)
            ok &= print_row(f"{n} stops, solve", day, lambda d=day: solve(d, time_limit_s, 0))
            ok &= print_row(f"{n} stops, OR-Tools", day, lambda d=day, s=settings: solve_with(d, s))
        return 0 if ok else 1
    finally:
        router.close()
