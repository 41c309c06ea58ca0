"""One simulated day through tracking's own entry points (route events, ping calls, stop
completions), in process on in-memory storage, with drivers who do not keep to the plan."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lastmile_common.events.routes import RoutePlanned
from tracking.domain.fixes import Fix
from tracking.service_layer.completion import CompleteStop, complete_stop
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.ports import Roads
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker

from bench.eta.plan import LegPlan, PlannedDay
from lastmile.demo.places import offset
from lastmile.demo.road_drive import DriverStyle, along, draw_style, leg_seconds, service_seconds

TENANT = "bench"
PING_EVERY_S = 10.0


class _Store:
    """Keeps the events tracking would put in its outbox, in order."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def load_route(self, conn: Any, route_id: str) -> Any:
        return None

    async def save_tokens(self, conn: Any, tenant_id: str, rows: list[Any]) -> None:
        return None

    async def save_errors(self, *args: Any) -> None:
        return None

    async def add_events(self, conn: Any, events: list[Any]) -> None:
        self.events.extend(e.data for e, _ in events)

    async def save_routes_and_events(self, conn: Any, routes: list[Any], events: list[Any]) -> None:
        self.events.extend(e.data for e, _ in events)


class _Quiet:
    """Ping storage and the dispatchers' stream: not measured here."""

    def add(self, *row: Any) -> None:
        return None

    def position(self, *row: Any) -> None:
        return None

    def told(self, *row: Any) -> None:
        return None

    def publish(self, *args: Any) -> None:
        return None


Segment = tuple[str, datetime, float, float]


@dataclass
class Truth:
    """What really happened: when each order's van reached the door, and each driver's style."""

    arrivals: dict[str, datetime] = field(default_factory=dict)
    windows: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    planned_start: dict[str, datetime] = field(default_factory=dict)  # the plan's service start
    styles: dict[str, DriverStyle] = field(default_factory=dict)
    # Per route, what each leg, wait and service really took: (kind, start, seconds, planned s).
    segments: dict[str, list[Segment]] = field(default_factory=dict)


Action = tuple[datetime, int, str, Any]  # (time, tie-break, vehicle, Fix | CompleteStop)


def _drive(
    event: RoutePlanned, legs: tuple[LegPlan, ...], style: DriverStyle, rng: random.Random,
    truth: Truth,
) -> list[Action]:  # fmt: skip
    """Pings every 10 s along the roads, and a completion when each stop is served."""
    vehicle = event.vehicle_id
    actions: list[Action] = []
    depot = (event.depot_location.lat, event.depot_location.lon)

    def ping(at: datetime, lat: float, lon: float, speed: float) -> None:
        lat, lon = offset((lat, lon), rng.gauss(0, 4), rng.gauss(0, 4))
        actions.append((at, 0, vehicle, Fix(at, lat, lon, accuracy_m=8.0, speed_mps=speed)))

    def stand(here: tuple[float, float], t: datetime, seconds: float) -> datetime:
        steps = max(1, int(seconds // PING_EVERY_S))
        for k in range(1, steps + 1):
            ping(t + timedelta(seconds=seconds * k / steps), *here, 0.0)
        return t + timedelta(seconds=seconds)

    t = stand(depot, event.start_time, 60.0 + style.late_start_s)  # loading, and any late start
    took = truth.segments.setdefault(event.route_id, [])
    for stop, leg in zip(event.stops, legs, strict=False):
        seconds, held = leg_seconds(style, leg.planned_s, rng)
        took.append(("leg", t, seconds, leg.planned_s))
        for p in along(leg.path, t, seconds, PING_EVERY_S, held, rng):
            ping(p.at, p.lat, p.lon, p.speed_mps)
        t += timedelta(seconds=seconds)
        truth.arrivals[stop.order_id] = t
        window = stop.windows[0]
        truth.windows[stop.order_id] = (window.start, window.end)
        service = timedelta(seconds=stop.service_time_s)
        truth.planned_start[stop.order_id] = stop.planned_departure - service
        # A van early for the window waits at the door before serving.
        wait = max(0.0, (window.start - t).total_seconds())
        took.append(("wait", t, wait, 0.0))
        t = stand((stop.location.lat, stop.location.lon), t, wait)
        served = service_seconds(style, stop.service_time_s, rng)
        took.append(("service", t, served, float(stop.service_time_s)))
        t = stand((stop.location.lat, stop.location.lon), t, served)
        done = CompleteStop(
            TENANT,
            event.route_id,
            stop.stop_id,
            "delivered",
            t,
            recipient_name="Recipient",
            lat=stop.location.lat,
            lon=stop.location.lon,
        )
        actions.append((t, 1, vehicle, done))
    seconds, held = leg_seconds(style, legs[-1].planned_s, rng)
    for p in along(legs[-1].path, t, seconds, PING_EVERY_S, held, rng):
        ping(p.at, p.lat, p.lon, p.speed_mps)
    return actions


def drive_day(day: PlannedDay, seed: int) -> tuple[list[Action], Truth]:
    """How the day's drivers really drive it: every ping and completion in time order, and the
    truth (the same draws for the same seed)."""
    rng = random.Random(seed * 7919)
    truth = Truth()
    actions: list[Action] = []
    for event, legs in day.routes:
        style = draw_style(rng)
        truth.styles[event.vehicle_id] = style
        actions.extend(_drive(event, legs, style, rng, truth))
    actions.sort(key=lambda a: (a[0], a[1]))
    return actions, truth


async def run_day(
    day: PlannedDay,
    roads: Roads,
    seed: int,
    config: TrackerConfig,
    state: TrackingState | None = None,
) -> tuple[list[Any], Truth]:
    """Feed a day to a tracker (holding `state`: the earlier days it kept, as a running service
    does and as it recovers from its snapshots; None: a fresh one); return the events it
    produced that day and what really happened."""
    store = _Store()
    tracker = Tracker(state or TrackingState(), store, _Quiet(), _Quiet(), config, roads=roads)
    for event, _ in day.routes:
        await tracker.route_planned(None, TENANT, event)
    actions, truth = drive_day(day, seed)
    for at, _, vehicle, item in actions:
        if isinstance(item, Fix):
            await tracker.pings(None, TENANT, vehicle, [item], at + timedelta(seconds=2))
        else:
            await complete_stop(tracker, None, item)
    return store.events, truth
