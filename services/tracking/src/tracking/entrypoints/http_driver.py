"""The driver's app: its static files under /driver/, the device's route of the day and its map's
streets, breaks and the route finished."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.staticfiles import StaticFiles
from lastmile_common.basemap import layer
from lastmile_common.http.problems import Problem
from pydantic import BaseModel, ConfigDict

from tracking.adapters.driver_events import PgDriverEvents
from tracking.adapters.recovery import vehicle_state
from tracking.adapters.route_news import RouteNews
from tracking.domain.route import RouteState
from tracking.entrypoints.deps import (
    Caller,
    DeviceDep,
    PoolDep,
    StreetsDep,
    TrackerDep,
)
from tracking.service_layer.driver_day import (
    DayEvent,
    DayKind,
    DayRefused,
    finish_route,
    take_break,
)
from tracking.service_layer.driver_view import driver_route, todays_route

DRIVER_APP = Path(__file__).resolve().parent.parent / "driver_app"
router = APIRouter(tags=["driver"])
_events = PgDriverEvents()
_DEVICE_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"description": "called with an API key, not a device token"}
}


class BreakIn(BaseModel):
    """Start or end the driver's break."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "start"}]})

    action: Literal["start", "end"]


@router.get("/v1/device/route", responses=_DEVICE_ONLY)
async def device_route(device: DeviceDep, pool: PoolDep) -> dict[str, Any]:
    """The route of the day of the device's vehicle (`route` is null when it has none), and
    when the running break started (null: not on a break)."""
    assert device.vehicle_id is not None
    async with pool.acquire() as conn:
        route = await _todays(conn, device)
        pause = await _events.break_started(conn, device.tenant_id, device.vehicle_id)
    return {
        "vehicle_id": device.vehicle_id,
        "route": driver_route(route) if route is not None else None,
        "break_started_at": pause.isoformat() if pause else None,
    }


async def _todays(conn: Any, device: Caller) -> RouteState | None:
    """The vehicle's route of the day as last committed, whichever replica answers: a driver's
    change (a completion, a break) is committed before the vehicle's owner reloads it into its
    memory, and the driver must see it at once."""
    assert device.vehicle_id is not None
    state = await vehicle_state(conn, device.tenant_id, device.vehicle_id)
    return todays_route(state, device.tenant_id, device.vehicle_id)


def _event(device: Caller, route: RouteState | None, kind: DayKind) -> DayEvent:
    assert device.vehicle_id is not None and device.device_id is not None
    return DayEvent(
        device.tenant_id,
        device.vehicle_id,
        device.device_id,
        kind,
        route.route_id if route else None,
        datetime.now(UTC),
    )


@router.post(
    "/v1/device/break", responses={**_DEVICE_ONLY, 409: {"description": "already in that state"}}
)
async def device_break(
    body: BreakIn,
    request: Request,
    device: DeviceDep,
    tracker: TrackerDep,
    pool: PoolDep,
) -> dict[str, Any]:
    """Start or end a break (dispatchers see it on `/v1/stream` as a `driver` message; the
    route's ETAs account for it)."""
    kind: DayKind = "break_started" if body.action == "start" else "break_ended"
    news: RouteNews = request.app.state.route_news
    try:
        async with pool.acquire() as conn, conn.transaction():
            route = await _todays(conn, device)
            done = await take_break(tracker, _events, conn, _event(device, route, kind))
            if route is not None:  # the vehicle's owner reloads the route with its break
                await news.announce(conn, route.route_id)
            return done
    except DayRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from None


@router.post(
    "/v1/device/finish",
    responses={**_DEVICE_ONLY, 409: {"description": "stops of the route are still open"}},
)
async def device_finish(device: DeviceDep, tracker: TrackerDep, pool: PoolDep) -> dict[str, Any]:
    """The driver declares the route finished (refused while a stop is still open)."""
    try:
        async with pool.acquire() as conn:
            route = await _todays(conn, device)
            event = _event(device, route, "route_finished")
            return await finish_route(tracker, _events, conn, event, route)
    except DayRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from None


# The largest box of streets one call returns (degrees each way): a route's surroundings, not a
# region (a country's extract in one answer would be tens of MB built on the event loop).
MAX_BASEMAP_SPAN_DEG = 1.0


@router.get("/v1/device/basemap", responses=_DEVICE_ONLY)
async def device_basemap(
    device: DeviceDep,
    streets: StreetsDep,
    south: Annotated[float, Query(ge=-90, le=90)],
    west: Annotated[float, Query(ge=-180, le=180)],
    north: Annotated[float, Query(ge=-90, le=90)],
    east: Annotated[float, Query(ge=-180, le=180)],
) -> dict[str, Any]:
    """The streets of the platform's map extract that cross the box (the app draws them under
    its route), by class, with the attribution to show; none where tracking has no extract.
    A box is at most MAX_BASEMAP_SPAN_DEG each way, south below north and west below east."""
    errors = [
        {"field": field, "message": message}
        for field, low, high in (("north", south, north), ("east", west, east))
        for message in _span_problems(low, high)
    ]
    if errors:
        raise Problem(
            422, "Unprocessable Content", "the box is not a route's surroundings", errors=errors
        )
    box = (south, west, north, east)
    return await asyncio.to_thread(lambda: layer(r for r in streets if r.crosses(*box)))


def _span_problems(low: float, high: float) -> list[str]:
    if high <= low:
        return ["must be greater than its opposite side"]
    if high - low > MAX_BASEMAP_SPAN_DEG:
        return [f"the box may span at most {MAX_BASEMAP_SPAN_DEG} degrees"]
    return []


def mount_driver_app(app: FastAPI) -> None:
    """Serve the progressive web app's files (no build step) at /driver/."""
    app.mount("/driver", StaticFiles(directory=DRIVER_APP, html=True), name="driver")
