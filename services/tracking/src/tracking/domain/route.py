"""A route as tracking follows it: stops with their progress, and the vehicle's place on it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import Any

from lastmile_common.events.routes import RoutePlanned
from lastmile_common.routing.types import Profile


class StopStatus(StrEnum):
    """Where a stop is in its life."""

    PENDING = "pending"
    ARRIVED = "arrived"
    DEPARTED = "departed"  # left without a completion yet: visited, not waited for
    DELIVERED = "delivered"
    FAILED = "failed"


class RouteStatus(StrEnum):
    """Where a route is in its life."""

    PLANNED = "planned"
    STARTED = "started"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class StopState:
    """One stop of a route and what happened there."""

    stop_id: str
    order_id: str
    sequence: int
    lat: float
    lon: float
    planned_arrival: datetime
    service_time_s: int
    token: str | None = None
    status: StopStatus = StopStatus.PENDING
    arrived_at: datetime | None = None
    departed_at: datetime | None = None
    resolved_at: datetime | None = None
    planned_start: datetime | None = None  # planned service start: after any planned wait
    windows: tuple[tuple[datetime, datetime], ...] = ()  # delivery windows (UTC), in order
    load_label: str = ""  # where the parcel is in the vehicle (the load plan's label)
    # What the driver needs at the door (the planner copies it from the order).
    address: str = ""
    recipient_name: str = ""
    phone: str | None = None
    note: str = ""
    skills: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        """Delivered or failed: nothing more will happen here."""
        return self.status in (StopStatus.DELIVERED, StopStatus.FAILED)


@dataclass(slots=True)
class RouteState:
    """A route version and its progress."""

    tenant_id: str
    route_id: str
    version: int
    depot_id: str
    vehicle_id: str
    depot_lat: float
    depot_lon: float
    start_time: datetime
    end_time: datetime
    time_zone: str
    stops: list[StopState]
    vehicle_kind: str = "van"
    # The planned path on roads (Google encoded polyline, precision 5); None: no map (a drone).
    geometry: str | None = None
    status: RouteStatus = RouteStatus.PLANNED
    started_at: datetime | None = None
    completed_at: datetime | None = None
    at_stop: str | None = None  # arrived here and not yet left
    candidate_stop: str | None = None  # inside this geofence, dwell not yet long enough
    inside_since: datetime | None = None
    heading_to: str | None = None  # inferred from movement, may differ from the plan
    last_visited_seq: int = 0
    away_since: datetime | None = None  # first fix farther from the route's roads than allowed
    off_route_since: datetime | None = None  # ...and it stayed away long enough
    breaks: tuple[tuple[datetime, datetime], ...] = ()  # the drivers' breaks the plan placed
    # Breaks the driver took (start, end; end None: on it now), in order, from the driver's app.
    breaks_taken: tuple[tuple[datetime, datetime | None], ...] = ()
    # How many times this snapshot was written: a write from a copy of an older revision is
    # refused (another writer, a driver's completion on another replica, came in between).
    # Kept in its own column, not in the snapshot: a release before it reads the snapshot too.
    revision: int = 0
    _by_id: dict[str, StopState] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {s.stop_id: s for s in self.stops}

    def stop(self, stop_id: str) -> StopState | None:
        """A stop of this route by id."""
        return self._by_id.get(stop_id)

    @property
    def on_break_since(self) -> datetime | None:
        """When the break the driver is on began (None: not on a break)."""
        if self.breaks_taken and self.breaks_taken[-1][1] is None:
            return self.breaks_taken[-1][0]
        return None

    def take_break(self, at: datetime) -> None:
        """The driver started a break (a second start while on one changes nothing)."""
        if self.on_break_since is None:
            self.breaks_taken = (*self.breaks_taken, (at, None))

    def end_break(self, at: datetime) -> None:
        """The driver ended the running break."""
        began = self.on_break_since
        if began is not None:
            self.breaks_taken = (*self.breaks_taken[:-1], (began, max(began, at)))

    @property
    def active(self) -> bool:
        """Still to be driven or being driven."""
        return self.status in (RouteStatus.PLANNED, RouteStatus.STARTED)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready snapshot (stored with the route, read back at start)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if not f.name.startswith("_") and f.name != "revision":
                out[f.name] = _plain(getattr(self, f.name))
        out["stops"] = [{f.name: _plain(getattr(s, f.name)) for f in fields(s)} for s in self.stops]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], revision: int = 0) -> RouteState:
        """Rebuild a route from its snapshot (and the revision stored beside it)."""
        values = {k: _revive(k, v) for k, v in data.items() if k != "stops"}
        stops = [StopState(**{k: _revive(k, v) for k, v in s.items()}) for s in data["stops"]]
        return cls(stops=stops, revision=revision, **values)


_TIMES = {
    "start_time",
    "end_time",
    "started_at",
    "completed_at",
    "inside_since",
    "away_since",
    "off_route_since",
    "planned_arrival",
    "arrived_at",
    "departed_at",
    "resolved_at",
    "planned_start",
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _revive(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _TIMES:
        return datetime.fromisoformat(value)
    if name in ("windows", "breaks", "breaks_taken"):
        return tuple(
            (datetime.fromisoformat(a), None if b is None else datetime.fromisoformat(b))
            for a, b in value
        )
    if name == "skills":
        return tuple(value)
    if name == "status":
        return RouteStatus(value) if value in RouteStatus._value2member_map_ else StopStatus(value)
    return value


def route_from_event(tenant_id: str, event: RoutePlanned, tokens: dict[str, str]) -> RouteState:
    """A fresh route state from a planner event; `tokens` maps order id to tracking token."""
    labels = {entry.order_id: entry.label for entry in event.load_plan}
    stops = [
        StopState(
            stop_id=s.stop_id,
            order_id=s.order_id,
            sequence=s.sequence,
            lat=s.location.lat,
            lon=s.location.lon,
            planned_arrival=s.planned_arrival,
            service_time_s=s.service_time_s,
            token=tokens.get(s.order_id),
            planned_start=s.planned_departure - timedelta(seconds=s.service_time_s),
            windows=tuple((w.start, w.end) for w in sorted(s.windows, key=lambda w: w.start)),
            load_label=labels.get(s.order_id) or s.load_label,
            address=s.address,
            recipient_name=s.recipient_name,
            phone=s.phone,
            note=s.note,
            skills=s.skills,
        )
        for s in sorted(event.stops, key=lambda s: s.sequence)
    ]
    return RouteState(
        tenant_id=tenant_id,
        route_id=event.route_id,
        version=event.version,
        depot_id=event.depot_id,
        vehicle_id=event.vehicle_id,
        depot_lat=event.depot_location.lat,
        depot_lon=event.depot_location.lon,
        start_time=event.start_time,
        end_time=event.end_time,
        time_zone=event.time_zone,
        stops=stops,
        vehicle_kind=event.vehicle_kind,
        geometry=event.geometry,
        breaks=tuple((b.start, b.end) for b in sorted(event.breaks, key=lambda b: b.start)),
    )


def replan(old: RouteState, new: RouteState) -> RouteState:
    """A newer version of a route that keeps what already happened to stops it still has."""
    for stop in new.stops:
        before = old.stop(stop.stop_id)
        if before is None or before.order_id != stop.order_id:
            continue
        stop.status, stop.arrived_at = before.status, before.arrived_at
        stop.departed_at, stop.resolved_at = before.departed_at, before.resolved_at
        stop.token = stop.token or before.token
    new.status, new.started_at, new.completed_at = old.status, old.started_at, old.completed_at
    new.last_visited_seq = old.last_visited_seq
    new.breaks_taken = old.breaks_taken
    new.revision = old.revision
    if old.at_stop and new.stop(old.at_stop):
        new.at_stop = old.at_stop
    return new


def road_profile(vehicle_kind: str) -> Profile | None:
    """The road network a vehicle kind drives (the planner's choice); None: it flies."""
    if vehicle_kind == "drone":
        return None
    return Profile.BICYCLE if vehicle_kind == "cargo_bike" else Profile.CAR
