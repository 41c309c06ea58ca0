"""The driver's pace learned from the day: observed over planned leg and service times, per
driver, road class and time bucket, shrunk towards the fleet's (and the plan's) where little is
known yet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from lastmile_common.geo import haversine_m

from tracking.domain.breaks import plan_waits, taken_s
from tracking.domain.route import RouteState, StopState
from tracking.domain.service_start import service_start
from tracking.domain.shrinkage import prior_weight_s

# Local hours at which the traffic buckets begin (the road engine's default buckets).
BUCKETS: tuple[tuple[float, str], ...] = (
    (0.0, "night"),
    (7.0, "morning_rush"),
    (9.5, "midday"),
    (16.0, "evening_rush"),
    (19.0, "night"),
)
# A leg whose straight-line speed is at least this rides mostly on through roads.
THROUGH_MPS = 6.0

Key = tuple[str, str]  # (road class, time bucket)


@dataclass(frozen=True, slots=True)
class PaceConfig:
    """How much evidence moves the pace away from its prior, and how far it may go."""

    # The fleet's pace in a driver's weighs at least as much as this many planned driving (and
    # service) seconds of the driver's own, more where the fleet's evidence shows that drivers
    # differ little against the noise of a leg (a stop): at most `max_prior_s`.
    prior_s: float = 300.0
    service_prior_s: float = 900.0
    max_prior_s: float = 14400.0
    # Earlier days of the depot (the fleet's pace per key and its service) weigh as much as this
    # many planned seconds of today's: today soon speaks for itself, but no day starts cold.
    history_prior_s: float = 1800.0
    history_service_prior_s: float = 1800.0
    half_life_s: float = 3600.0  # a driver's legs count half this long before their newest
    # Arrivals are seen entering a stop's geofence, departures leaving a wider one: the metres
    # inside them are missing from every observed leg (the depot's circle, a stop's two).
    depot_exit_m: float = 150.0
    stop_exit_m: float = 90.0
    stop_entry_m: float = 60.0
    min_pace: float = 0.6
    max_pace: float = 2.0
    # One leg counts at most this far from its plan: a jam or a long talk at a door is bad luck,
    # not the driver's pace, and must not stretch every later ETA.
    leg_ratio: tuple[float, float] = (0.5, 1.6)
    service_ratio: tuple[float, float] = (0.3, 2.5)


@dataclass(frozen=True, slots=True)
class Sample:
    """One observed leg or service: planned and observed seconds, where and when."""

    planned_s: float
    observed_s: float
    key: Key
    at: datetime

    def counted_s(self, bounds: tuple[float, float]) -> float:
        """The observed seconds, held within `bounds` times the planned ones."""
        return min(bounds[1] * self.planned_s, max(bounds[0] * self.planned_s, self.observed_s))


def road_class(distance_m: float, seconds: float) -> str:
    """'through' for legs fast enough to ride main roads, else 'local'."""
    return "through" if seconds > 0 and distance_m / seconds >= THROUGH_MPS else "local"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(at: datetime, time_zone: str) -> date:
    """The local date of a time (a route's service day)."""
    return at.astimezone(_zone(time_zone)).date()


def time_bucket(at: datetime, time_zone: str) -> str:
    """The traffic bucket of a local time of day."""
    local = at.astimezone(_zone(time_zone))
    hour = local.hour + local.minute / 60
    return [name for start, name in BUCKETS if start <= hour][-1]


def _planned_departure(stop: StopState) -> datetime:
    start = stop.planned_start or stop.planned_arrival
    return start + timedelta(seconds=stop.service_time_s)


def _left(stop: StopState, config: PaceConfig) -> tuple[datetime | None, float]:
    """When the driver finished at a stop, and the metres of the next leg not seen from then:
    the driver's completion (at the door) where there is one, else leaving the geofence."""
    if stop.resolved_at is not None:
        return stop.resolved_at, 0.0
    return stop.departed_at, config.stop_exit_m


def leg_samples(route: RouteState, config: PaceConfig) -> list[Sample]:
    """Driving legs observed on a route: from finishing one stop (or leaving the depot) to
    reaching the next one of the plan. Legs of a changed order have no planned time and teach
    nothing, nor do legs of a few metres (stops next door)."""
    by_seq = {s.sequence: s for s in route.stops}
    out: list[Sample] = []
    for stop in route.stops:
        before = by_seq.get(stop.sequence - 1)
        left: datetime | None
        if before is None:
            if stop.sequence != min(by_seq) or route.started_at is None:
                continue
            left, planned_left = route.started_at, route.start_time
            origin, unseen = (route.depot_lat, route.depot_lon), config.depot_exit_m
        else:
            left, unseen = _left(before, config)
            planned_left = _planned_departure(before)
            origin = (before.lat, before.lon)
        reached = _reached(stop)
        if left is None or reached is None or left > reached:
            continue
        planned = (stop.planned_arrival - planned_left).total_seconds()
        observed = (reached - left).total_seconds() - taken_s(route, left, reached)
        distance = haversine_m(*origin, stop.lat, stop.lon)
        if planned < 30 or distance < 2 * config.stop_entry_m:
            continue
        key = (road_class(distance, planned), time_bucket(left, route.time_zone))
        # The planned share of the leg the observation covers (roads ~1.3 x the straight line).
        seen = max(0.3, 1.0 - (unseen + config.stop_entry_m) / (1.3 * distance))
        out.append(Sample(planned * seen, observed, key, reached))
    return out


def _reached(stop: StopState) -> datetime | None:
    """When the van reached a stop: its arrival, or where the geofence of the stop before hid
    it (stops a few doors apart), its completion less the planned service."""
    if stop.arrived_at is not None:
        return stop.arrived_at
    if stop.resolved_at is None:
        return None
    return stop.resolved_at - timedelta(seconds=stop.service_time_s)


def service_samples(route: RouteState, config: PaceConfig) -> list[Sample]:
    """Service times observed: from when service could begin to the driver finishing."""
    out: list[Sample] = []
    by_seq, spans = {s.sequence: s for s in route.stops}, list(route.breaks)
    for stop in route.stops:
        left, _ = _left(stop, config)
        if stop.arrived_at is None or left is None or stop.service_time_s <= 0:
            continue
        # A van ahead of plan serves at once: the planned start is no floor unless the plan
        # scheduled a wait here (else every early van's services read as far too short).
        waits = plan_waits(stop, by_seq.get(stop.sequence - 1), spans)
        began = service_start(stop, stop.arrived_at, waits)
        observed = (left - began).total_seconds() - taken_s(route, began, left)
        if observed > 0:
            key = ("service", time_bucket(began, route.time_zone))
            out.append(Sample(float(stop.service_time_s), observed, key, left))
    return out


@dataclass(frozen=True, slots=True)
class FleetPace:
    """Observed over planned time per (road class, time bucket) over a depot's routes."""

    ratios: Mapping[Key, float] = field(default_factory=dict)
    service: float = 1.0
    # How much the fleet weighs in one driver's pace (planned seconds); None: the configured.
    driver_prior_s: float | None = None
    service_prior_s: float | None = None

    def ratio(self, key: Key) -> float:
        """The fleet's pace for a key (1.0, the plan, where nothing was seen)."""
        return self.ratios.get(key, 1.0)


def fleet_pace(
    routes: Iterable[RouteState], config: PaceConfig, prior: FleetPace | None = None
) -> FleetPace:
    """The fleet's pace from every leg and service its routes saw, shrunk towards `prior` (the
    depot's earlier days) where it knows a key, else towards the plan, and how much it weighs
    in each driver's (from how much its drivers differ; the prior's while too few are seen)."""
    sums: dict[Key, list[float]] = {}
    service = [0.0, 0.0]
    legs_by: dict[str, list[Sample]] = {}
    served_by: dict[str, list[Sample]] = {}
    for route in routes:
        for sample in leg_samples(route, config):
            acc = sums.setdefault(sample.key, [0.0, 0.0])
            acc[0] += sample.counted_s(config.leg_ratio)
            acc[1] += sample.planned_s
            legs_by.setdefault(route.vehicle_id, []).append(sample)
        for sample in service_samples(route, config):
            service[0] += sample.counted_s(config.service_ratio)
            service[1] += sample.planned_s
            served_by.setdefault(route.vehicle_id, []).append(sample)
    base = prior or FleetPace()
    ratios = dict(base.ratios)
    for key, (obs, plan) in sums.items():
        weight = config.history_prior_s if key in base.ratios else config.prior_s
        ratios[key] = _clamp((obs + weight * base.ratio(key)) / (plan + weight), config)
    weight = config.service_prior_s if prior is None else config.history_service_prior_s
    served_ratio = (service[0] + weight * base.service) / (service[1] + weight)
    fleet = FleetPace(ratios, _clamp(served_ratio, config))
    legs = [
        [
            (s.counted_s(config.leg_ratio) / (s.planned_s * fleet.ratio(s.key)), s.planned_s)
            for s in g
        ]
        for g in legs_by.values()
    ]
    served = [
        [
            (s.counted_s(config.service_ratio) / (s.planned_s * fleet.service), s.planned_s)
            for s in g
        ]
        for g in served_by.values()
    ]
    floor_legs = base.driver_prior_s or config.prior_s
    floor_served = base.service_prior_s or config.service_prior_s
    return replace(
        fleet,
        driver_prior_s=prior_weight_s(legs, config.prior_s, config.max_prior_s, floor_legs),
        service_prior_s=prior_weight_s(
            served, config.service_prior_s, config.max_prior_s, floor_served
        ),
    )


@dataclass(frozen=True, slots=True)
class Pace:
    """What to stretch planned legs and service by for one driver."""

    fleet: FleetPace
    driver: float = 1.0  # relative to the fleet
    service: float = 1.0
    config: PaceConfig = field(default_factory=PaceConfig)

    def leg(self, distance_m: float, seconds: float, depart: datetime, time_zone: str) -> float:
        """The factor for a leg of this length and planned seconds, leaving at `depart`."""
        key = (road_class(distance_m, seconds), time_bucket(depart, time_zone))
        return _clamp(self.fleet.ratio(key) * self.driver, self.config)


def driver_pace(
    routes: Iterable[RouteState], fleet: FleetPace, at: datetime, config: PaceConfig
) -> Pace:
    """A driver's pace from their own routes, relative to the fleet: recent legs weigh more."""
    legs = [0.0, 0.0]
    service = [0.0, 0.0]
    routes = list(routes)
    driven = [s for r in routes for s in leg_samples(r, config) if s.at <= at]
    served = [s for r in routes for s in service_samples(r, config) if s.at <= at]
    newest = max((s.at for s in driven + served), default=at)
    for sample in driven:
        weight = _recency(sample.at, newest, config)
        legs[0] += weight * sample.counted_s(config.leg_ratio)
        legs[1] += weight * sample.planned_s * fleet.ratio(sample.key)
    for sample in served:
        weight = _recency(sample.at, newest, config)
        service[0] += weight * sample.counted_s(config.service_ratio)
        service[1] += weight * sample.planned_s * fleet.service
    prior = config.prior_s if fleet.driver_prior_s is None else fleet.driver_prior_s
    driver = (legs[0] + prior) / (legs[1] + prior)
    prior = config.service_prior_s if fleet.service_prior_s is None else fleet.service_prior_s
    service_factor = fleet.service * (service[0] + prior) / (service[1] + prior)
    return Pace(fleet, _clamp(driver, config), _clamp(service_factor, config), config)


def _recency(then: datetime, now: datetime, config: PaceConfig) -> float:
    age = max(0.0, (now - then).total_seconds())
    return float(0.5 ** (age / config.half_life_s))


def _clamp(value: float, config: PaceConfig) -> float:
    return min(config.max_pace, max(config.min_pace, value))
