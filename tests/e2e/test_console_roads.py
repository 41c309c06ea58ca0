"""The dispatcher's map draws a route on its roads (the event's geometry), credited to OSM."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import polyline
import pytest
import uvicorn
from lastmile_common.events.base import GeoPoint
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned
from lastmile_common.routing import Profile, Router

from lastmile.console.app import Tenants, console_app
from lastmile.infra.ports import free_port
from lastmile.testing.roads import SCHAAN, TRIESENBERG, VADUZ

from .browser import console_page

pytestmark = [pytest.mark.e2e]

START = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)


def _stop(i: int, place: GeoPoint) -> PlannedStop:
    at = START + timedelta(minutes=20 * i)
    return PlannedStop(
        stop_id=f"s{i}", sequence=i, order_id=f"o{i}", location=place,
        planned_arrival=at, planned_departure=at + timedelta(minutes=2), service_time_s=120,
    )  # fmt: skip


@pytest.fixture
async def console(road_router: Router) -> AsyncIterator[tuple[str, str]]:
    """The console over one route Vaduz - Schaan - Triesenberg with its road geometry."""
    geometry = road_router.route([VADUZ, SCHAAN, TRIESENBERG, VADUZ], START, Profile.CAR).polyline
    depot = GeoPoint(lat=VADUZ.lat, lon=VADUZ.lon)
    places = [GeoPoint(lat=p.lat, lon=p.lon) for p in (SCHAAN, TRIESENBERG)]
    route = RoutePlanned(
        plan_id="p1", route_id="r1", depot_id="vaduz", vehicle_id="van-1", vehicle_kind="van",
        service_date="2030-01-15", time_zone="Europe/Vaduz", depot_location=depot,
        start_time=START, end_time=START + timedelta(hours=2), distance_m=1.0, duration_s=1.0,
        load=Load(), stops=tuple(_stop(i, p) for i, p in enumerate(places, start=1)),
        geometry=geometry,
    )  # fmt: skip
    tenants = Tenants()
    tenants.apply(Envelope.wrap(route, source="test", tenant="t-roads", subject="r1"))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(console_app(tenants, {}), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}", geometry
    server.should_exit = True
    await task


async def test_the_route_is_drawn_on_its_roads_with_the_osm_credit(
    console: tuple[str, str],
) -> None:
    url, geometry = console
    async with console_page(f"{url}/?tenant=t-roads") as page:
        line = page.locator("polyline.route[data-route='r1']")
        classes = await line.get_attribute("class") or ""
        points = (await line.get_attribute("points") or "").split()
        credit = page.locator("a[href='https://www.openstreetmap.org/copyright']")
        credit_text = await credit.first.inner_text()
    assert "roads" in classes
    # Every vertex of the road path, not the 4 corners of a straight-line tour.
    assert len(points) == len(polyline.decode(geometry, 5)) > 20
    assert credit_text == "OpenStreetMap contributors"
