"""Road travel for ETAs and route shapes from the routing interface, cached per route."""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from cachetools import LRUCache
from lastmile_common.routing import Point, Profile, Router, RoutingError

from tracking.adapters.metrics import ROAD_CALLS
from tracking.domain.route import RouteState, StopState, road_profile
from tracking.domain.travel import TravelTimes

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _StopLegs:
    """Road seconds between every pair of a route version's stops, in one time bucket."""

    index: dict[str, int]
    durations_s: array[float]

    def between(self, a: str, b: str) -> float:
        size = len(self.index)
        return self.durations_s[self.index[a] * size + self.index[b]]


class RoadTravel:
    """Legs along roads at the current time bucket: ONE matrix call per ETA recompute.

    The first recompute of a route version in a bucket asks for the matrix of the fix and every
    stop, and keeps the stop-to-stop part; later ones ask only fix to next stop (2 x 2). Legs the
    roads cannot answer (no route, engine error) fall back to the straight-line model, and so do
    drones and routes with a place off the map (no roads known there).
    """

    def __init__(self, router: Router, fallback: TravelTimes, routes_cached: int = 20_000) -> None:
        self._router = router
        self._fallback = fallback
        self._cache: LRUCache[tuple[str, int, str], _StopLegs] = LRUCache(routes_cached)
        self._profiles: dict[tuple[str, int], Profile | None] = {}  # a few bytes per route

    def _profile(self, route: RouteState) -> Profile | None:
        """The profile to route the vehicle on; None: a drone, or a route off this map."""
        profile = road_profile(route.vehicle_kind)
        bounds = self._router.bounds
        places = [Point(route.depot_lat, route.depot_lon)]
        places += [Point(s.lat, s.lon) for s in route.stops]
        if profile is None or not all(bounds.contains(p) for p in places):
            return None
        return profile

    def _route_profile(self, route: RouteState) -> Profile | None:
        key = (route.route_id, route.version)
        if key not in self._profiles:
            self._profiles[key] = self._profile(route)
        return self._profiles[key]

    def legs(
        self,
        route: RouteState,
        origin: tuple[float, float],
        stops: Sequence[StopState],
        at: datetime,
    ) -> list[float]:
        """Driving seconds from `origin` to stops[0], then from each stop to the next."""
        profile = self._route_profile(route)
        if profile is None or not stops:
            return self._fallback.legs(route, origin, stops, at)
        try:
            first, known = self._ask(route, Point(*origin), stops[0], at, profile)
        except RoutingError as exc:
            log.warning("road legs of route %s failed: %s", route.route_id, exc)
            return self._fallback.legs(route, origin, stops, at)
        out = [first] + [known.between(a.stop_id, b.stop_id) for a, b in pairwise(stops)]
        if all(leg != math.inf for leg in out):
            return out
        straight = self._fallback.legs(route, origin, stops, at)
        return [s if leg == math.inf else leg for leg, s in zip(out, straight, strict=True)]

    def _ask(
        self, route: RouteState, here: Point, nxt: StopState, at: datetime, profile: Profile
    ) -> tuple[float, _StopLegs]:
        """The one matrix call: fix to next stop, and every stop pair if this bucket lacks them."""
        key = (route.route_id, route.version, self._router.traffic.bucket_at(at).name)
        known = self._cache.get(key)
        if known is not None and route.at_stop == nxt.stop_id:
            return 0.0, known  # parked at the next stop: its ETA is its arrival, no leg to ask
        ROAD_CALLS.inc()
        if known is not None:
            matrix = self._router.matrix([here, Point(nxt.lat, nxt.lon)], at, profile)
            return matrix.duration(0, 1), known
        matrix = self._router.matrix(
            [here] + [Point(s.lat, s.lon) for s in route.stops], at, profile
        )
        size = len(route.stops)
        durations: array[float] = array("d")
        for i in range(1, size + 1):
            row = i * matrix.size
            durations.extend(matrix.durations_s[row + 1 : row + 1 + size])
        index = {s.stop_id: i for i, s in enumerate(route.stops)}
        known = self._cache[key] = _StopLegs(index, durations)
        return matrix.duration(0, 1 + index[nxt.stop_id]), known

    def geometry(self, route: RouteState) -> str | None:
        """The route's roads from the depot through its stops in planned order and back."""
        profile = self._route_profile(route)
        if profile is None:
            return None
        depot = Point(route.depot_lat, route.depot_lon)
        points = [depot, *(Point(s.lat, s.lon) for s in route.stops), depot]
        try:
            ROAD_CALLS.inc()
            return self._router.route(points, route.start_time, profile).polyline
        except RoutingError as exc:
            log.warning("road geometry of route %s failed: %s", route.route_id, exc)
            return None
