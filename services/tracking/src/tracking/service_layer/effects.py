"""What one tracker call produced (written at its end) and the live stream messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope

from tracking.domain import progress as prog
from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState, StopStatus
from tracking.service_layer import messages
from tracking.service_layer.ports import Stream
from tracking.service_layer.state import OrderKey, Vehicle


@dataclass
class Effects:
    """What one call produced, written at its end in as few round trips as possible."""

    events: list[tuple[Envelope, str]] = field(default_factory=list)
    told: list[tuple[OrderKey, Published, Published | None]] = field(default_factory=list)
    changed: dict[str, RouteState] = field(default_factory=dict)
    # (tenant id, order id, error in seconds per horizon in minutes, arrival time)
    errors: list[tuple[str, str, dict[int, float], datetime]] = field(default_factory=list)
    # Routes the call read without changing them (ETAs told from them): their write is refused
    # too if another writer changed them meanwhile (`RouteChanged`).
    read: dict[str, RouteState] = field(default_factory=dict)
    # Per-route clocks the call moved (last ETA refresh, last off-route check): (the clock's
    # map, route id, its value before), put back if the call is undone.
    clocks: list[tuple[dict[str, datetime], str, datetime | None]] = field(default_factory=list)

    @property
    def to_write(self) -> bool:
        """Whether anything must be written in the transaction."""
        return bool(self.events or self.changed or self.errors)

    def merge(self, other: Effects) -> None:
        """Add another call's effects to these (the newest state of a route wins)."""
        self.events.extend(other.events)
        self.told.extend(other.told)
        self.changed.update(other.changed)
        self.errors.extend(other.errors)
        self.read.update(other.read)
        self.clocks.extend(other.clocks)

    def in_memory(self) -> Effects:
        """Only what the call did to the live state besides routes (ETAs told, clocks)."""
        return Effects(told=self.told, clocks=self.clocks)

    def move_clock(self, clock: dict[str, datetime], route_id: str, at: datetime) -> None:
        """Set a route's clock, remembering its value before."""
        self.clocks.append((clock, route_id, clock.get(route_id)))
        clock[route_id] = at

    def emit(self, data: EventData, tenant_id: str, key: str, subject: str | None = None) -> None:
        """Queue one event for the outbox."""
        envelope = Envelope.wrap(data, source=messages.SOURCE, tenant=tenant_id, subject=subject)
        self.events.append((envelope, key))


class Batch:
    """The effects of the events handled in one consumer transaction, written together before
    it commits, and how to undo what they did to the in-memory state if it does not.

    `moved` holds each vehicle's newest accepted fix of the batch and the trace context of the
    ping that brought it: its ETAs are computed once, from that fix, when the batch ends (a
    catch-up's queued pings are not each worth an ETA), and continue that ping's trace."""

    def __init__(self) -> None:
        self.effects = Effects()
        self.moved: dict[tuple[str, str], tuple[Vehicle, Fix, str]] = {}
        self._undo: list[Callable[[], None]] = []

    def add(self, effects: Effects, undo: Callable[[], None]) -> None:
        """Gather one call's effects and its undo."""
        self.effects.merge(effects)
        self._undo.append(undo)

    def rollback(self) -> None:
        """Undo every gathered call, newest first; the batch is then empty."""
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        self.effects = Effects()
        self.moved.clear()


def stream_position(stream: Stream, vehicle: Vehicle, fix: Fix, interval_s: float) -> None:
    """Send a vehicle's position to dispatchers, at most once per interval of ping time."""
    last = vehicle.last_streamed
    if last is not None and (fix.time - last).total_seconds() < interval_s:
        return
    vehicle.last_streamed = fix.time
    stream.publish(
        vehicle.tenant_id,
        "position",
        {
            "vehicle_id": vehicle.vehicle_id,
            "time": fix.time.isoformat(),
            "lat": fix.lat,
            "lon": fix.lon,
            "speed_mps": fix.speed_mps,
            "heading_deg": fix.heading_deg,
        },
    )


def stream_stop(stream: Stream, route: RouteState, stop_id: str, status: str, at: datetime) -> None:
    """Send a stop's new status to dispatchers."""
    stream.publish(
        route.tenant_id,
        "stop",
        {
            "route_id": route.route_id,
            "stop_id": stop_id,
            "status": status,
            "at": at.isoformat(),
        },
    )


def emit_completed(stream: Stream, route: RouteState, effects: Effects) -> None:
    """`route.completed` for the route's version, naming any stop it never served."""
    assert route.completed_at is not None
    done = sum(1 for s in route.stops if s.status is StopStatus.DELIVERED)
    failed = sum(1 for s in route.stops if s.status is StopStatus.FAILED)
    item = prog.RouteCompleted(route.completed_at, done, failed)
    data = messages.route_completed(route, item)
    effects.emit(data, route.tenant_id, route.route_id, subject=route.route_id)
    stream.publish(route.tenant_id, "route", {"route_id": route.route_id, "status": "completed"})
