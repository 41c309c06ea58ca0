"""Off-route: the vehicle stayed farther than a threshold from its route's roads for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracking.domain.fixes import Fix
from tracking.domain.road_path import RoadPath
from tracking.domain.route import RouteState, RouteStatus


@dataclass(frozen=True, slots=True)
class OffRouteConfig:
    """How far from the route's roads, for how long, and how often a fix is measured."""

    # GPS noise (~10-20 m) plus a road's width and the map's offset stay well inside this; the
    # nearest parallel street in a town is usually farther.
    threshold_m: float = 60.0
    sustained_s: float = 45.0  # a U-turn or a car park is not a detour
    check_every_s: float = 10.0  # in ping time: the hot path measures one fix in so many seconds


@dataclass(frozen=True, slots=True)
class WentOffRoute:
    """The vehicle left its route's roads (`since`: the first fix away) and stayed off."""

    since: datetime
    at: datetime
    distance_m: float


@dataclass(frozen=True, slots=True)
class BackOnRoute:
    """The vehicle is back on its route's roads."""

    at: datetime


OffRouteChange = WentOffRoute | BackOnRoute


def judge_off_route(
    route: RouteState, path: RoadPath, fix: Fix, config: OffRouteConfig
) -> OffRouteChange | None:
    """Measure one fix against the route's roads; say when the vehicle goes off or comes back."""
    if route.status is not RouteStatus.STARTED:
        return None
    if route.at_stop is not None or route.candidate_stop is not None:
        # Parked at a stop (a yard, a drive): not a detour, and the clock starts afresh after.
        route.away_since = None
        return None
    distance = path.gap_m(fix.lat, fix.lon, config.threshold_m)
    if distance <= config.threshold_m:
        route.away_since = None
        if route.off_route_since is None:
            return None
        route.off_route_since = None
        return BackOnRoute(fix.time)
    if route.away_since is None or route.away_since > fix.time:
        route.away_since = fix.time
    if route.off_route_since is not None:
        return None
    if (fix.time - route.away_since).total_seconds() < config.sustained_s:
        return None
    route.off_route_since = route.away_since
    return WentOffRoute(route.away_since, fix.time, round(distance, 1))
