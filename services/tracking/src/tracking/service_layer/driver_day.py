"""The driver's day besides stops: breaks start and end, the route is declared finished."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from tracking.domain.route import RouteState
from tracking.service_layer.route_changes import driver_break
from tracking.service_layer.tracker import Tracker

DayKind = Literal["break_started", "break_ended", "route_finished"]


class DayRefused(RuntimeError):
    """The action does not fit the day so far (a break already running, stops still open)."""


@dataclass(frozen=True)
class DayEvent:
    """One thing a device reported."""

    tenant_id: str
    vehicle_id: str
    device_id: str
    kind: DayKind
    route_id: str | None
    at: datetime


class DriverEvents(Protocol):
    """The reported day events (PostgreSQL)."""

    async def add(self, conn: Any, event: DayEvent) -> None:
        """Record one."""

    async def break_started(self, conn: Any, tenant_id: str, vehicle_id: str) -> datetime | None:
        """When the vehicle's running break started, or None when it is not on a break."""

    async def hold(self, conn: Any, tenant_id: str, vehicle_id: str) -> None:
        """Serialize the vehicle's day reports until the transaction ends."""


async def take_break(
    tracker: Tracker, events: DriverEvents, conn: Any, event: DayEvent
) -> dict[str, Any]:
    """Start or end a break (409 when already in that state); dispatchers see it live.

    Runs in a transaction: two reports of one vehicle at once take turns, so the second sees
    the first one's break."""
    await events.hold(conn, event.tenant_id, event.vehicle_id)
    running = await events.break_started(conn, event.tenant_id, event.vehicle_id)
    if event.kind == "break_started" and running is not None:
        raise DayRefused(f"already on a break since {running.isoformat()}")
    if event.kind == "break_ended" and running is None:
        raise DayRefused("no break is running")
    if event.route_id is not None:  # the route's ETAs account for the break
        started = event.kind == "break_started"
        await driver_break(
            tracker, conn, event.tenant_id, event.route_id, event.at, started=started
        )
    return await _report(tracker, events, conn, event)


async def finish_route(
    tracker: Tracker, events: DriverEvents, conn: Any, event: DayEvent, route: RouteState | None
) -> dict[str, Any]:
    """The driver is done: refused while `route`, the route of the day, has open stops."""
    if route is not None:
        open_ = [s.stop_id for s in route.stops if not s.resolved]
        if open_:
            raise DayRefused(f"{len(open_)} stops still open: {', '.join(open_)}")
    return await _report(tracker, events, conn, event)


async def _report(
    tracker: Tracker, events: DriverEvents, conn: Any, event: DayEvent
) -> dict[str, Any]:
    await events.add(conn, event)
    data = {"vehicle_id": event.vehicle_id, "kind": event.kind, "at": event.at.isoformat()}
    tracker.stream.publish(event.tenant_id, "driver", data)
    return data
