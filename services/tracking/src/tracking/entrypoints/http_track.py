"""The customer's tracking page `/track/{token}` (server-rendered) and its JSON twin."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import polyline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, select_autoescape
from lastmile_common.http.problems import Problem
from lastmile_common.tracking_links import order_of

from tracking.adapters.queries import find_token
from tracking.adapters.recovery import order_state
from tracking.entrypoints.deps import PoolDep, SettingsDep, StreetsDep
from tracking.entrypoints.map_view import build_map
from tracking.service_layer.views import OrderView, order_view, received_view
from tracking.settings import TrackingSettings

router = APIRouter(tags=["customers"])
ATTRIBUTION = "Map data © OpenStreetMap contributors (https://www.openstreetmap.org/copyright)"
_env = Environment(autoescape=select_autoescape(default=True), enable_async=False)
_TEMPLATE = _env.from_string(
    resources.files("tracking.templates").joinpath("track.html").read_text("utf-8")
)


async def _view(token: str, pool: Any, settings: TrackingSettings) -> OrderView:
    """The customer's view, from PostgreSQL: any replica answers it the same, whichever one
    follows the vehicle (and after a rebalance moved it)."""
    # A token derived with the shared secret names its order: valid before any route has it.
    order_id = order_of(settings.tracking_link_secret.get_secret_value(), token)
    view = None
    async with pool.acquire() as conn:
        target = await find_token(conn, token, order_id)
        if target is None and order_id is not None:
            return received_view(order_id)
        if target is not None and not target.expired:
            state = await order_state(conn, target.tenant_id, target.order_id, target.route_id)
            if state is None:  # re-planned off its route, on none yet
                return received_view(target.order_id)
            (route,) = state.routes.values()
            stop = next(s for s in route.stops if s.order_id == target.order_id)
            view = order_view(
                state,
                target.tenant_id,
                target.order_id,
                route.route_id,
                stop.stop_id,
                settings.map_stops_away,
            )
    if view is None:
        raise Problem(404, "Not found", "this tracking link is unknown or has expired")
    return view


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("/track/{token}.json")
async def track_json(token: str, pool: PoolDep, settings: SettingsDep) -> dict[str, Any]:
    """The customer's view as JSON (no other customer's data, vehicle only when near)."""
    view = await _view(token, pool, settings)
    return {
        "order_id": view.order_id,
        "status": view.status,
        "status_text": view.status_text,
        "eta": _iso(view.eta),
        "window_start": _iso(view.window_start),
        "window_end": _iso(view.window_end),
        "stops_away": view.stops_away,
        "destination": None
        if view.destination is None
        else {"lat": view.destination[0], "lon": view.destination[1]},
        "vehicle": None
        if view.vehicle is None
        else {"lat": view.vehicle[0], "lon": view.vehicle[1], "time": _iso(view.vehicle_time)},
        "updated_at": _iso(view.updated_at),
        # The roads from the van to the customer (encoded polyline, precision 5), with the van.
        "road": polyline.encode(list(view.road), 5) if view.road else None,
        "attribution": ATTRIBUTION,
    }


def format_window(view: OrderView) -> str:
    """The ETA window in the depot's local time, e.g. `09:10–09:40`."""
    if view.window_start is None or view.window_end is None:
        return ""
    tz = ZoneInfo(view.time_zone)
    start, end = view.window_start.astimezone(tz), view.window_end.astimezone(tz)
    return f"{start:%H:%M}–{end:%H:%M}"


@router.get(
    "/track/{token}",
    response_class=HTMLResponse,
    responses={404: {"description": "Unknown or expired link", "content": {"text/html": {}}}},
)
async def track_page(
    token: str, pool: PoolDep, settings: SettingsDep, streets: StreetsDep
) -> HTMLResponse:
    """The customer's tracking page; refreshes itself."""
    try:
        view = await _view(token, pool, settings)
    except Problem:
        return HTMLResponse(
            "<!doctype html><title>Not found</title>"
            "<p>This tracking link is unknown or has expired.</p>",
            404,
        )
    open_ = view.status in ("scheduled", "next", "on_the_way")
    map_ = None
    if open_ and view.destination is not None:
        map_ = build_map(view.destination, view.vehicle, settings.map_tile_url, view.road, streets)
    tz = ZoneInfo(view.time_zone)
    updated = f"{view.updated_at.astimezone(tz):%H:%M}" if view.updated_at else None
    html = _TEMPLATE.render(
        view=view,
        window=format_window(view),
        map=map_,
        refresh_s=settings.track_refresh_s,
        updated=updated,
        token=token,
    )
    return HTMLResponse(
        html, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )
