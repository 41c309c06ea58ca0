"""The console draws the streets of the platform's own map extract under the routes (a browser
test on a folded day in Vaduz), with OpenStreetMap's attribution; no tile server is asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from lastmile_common.events.base import GeoPoint
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned
from lastmile_common.routing.settings import RoutingSettings
from playwright.async_api import async_playwright

from lastmile.console.app import Tenants, console_app
from lastmile.testing.console import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = [pytest.mark.e2e]

EXTRACT = RoutingSettings().map_file
DEPOT = GeoPoint(lat=47.1641, lon=9.5014)  # Schaan
STOP = GeoPoint(lat=47.1400, lon=9.5160)  # Vaduz
START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def _vaduz_day() -> Tenants:
    stop = PlannedStop(
        stop_id="s1", sequence=1, order_id="o1", location=STOP,
        planned_arrival=START + timedelta(minutes=20),
        planned_departure=START + timedelta(minutes=23), service_time_s=180,
    )  # fmt: skip
    route = RoutePlanned(
        plan_id="p1", route_id="r1", depot_id="schaan-hub", vehicle_id="van-1",
        vehicle_kind="van", service_date="2026-12-01", time_zone="Europe/Vaduz",
        depot_location=DEPOT, start_time=START, end_time=START + timedelta(hours=2),
        distance_m=3000.0, duration_s=1800.0, load=Load(), stops=(stop,),
    )  # fmt: skip
    tenants = Tenants()
    tenants.apply(Envelope.wrap(route, source="test", tenant="t-vaduz", subject="r1"))
    return tenants


async def test_the_base_layer_is_the_extracts_roads_with_attribution() -> None:
    app = console_app(Tenants(), {}, extract=EXTRACT)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://c") as c:
        layer = (await c.get("/api/basemap")).json()
    assert layer["attribution"] == "© OpenStreetMap contributors"
    assert layer["attribution_url"] == "https://www.openstreetmap.org/copyright"
    kinds = {road["kind"] for road in layer["roads"]}
    assert {"major", "minor"} <= kinds
    assert len(layer["roads"]) > 500
    # Every road lies on the extract (Liechtenstein and its borders).
    for road in layer["roads"]:
        for lat, lon in road["points"]:
            assert 46.9 < lat < 47.4 and 9.3 < lon < 9.8
    without = console_app(Tenants(), {})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(without), base_url="http://c") as c:
        assert (await c.get("/api/basemap")).status_code == 404


@pytest.fixture
async def console() -> AsyncIterator[str]:
    """The console's HTTP side over a Vaduz day."""
    async with serving(console_app(_vaduz_day(), {}, extract=EXTRACT)) as url:
        yield url


async def test_the_console_draws_streets_under_the_route(console: str) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install -y chromium"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if console not in r.url else None)
            await page.goto(f"{console}/?tenant=t-vaduz")
            await page.wait_for_selector("#map polyline.street", timeout=30_000)
            streets = await page.locator("#map polyline.street").count()
            first = await page.locator("#map > *").first.get_attribute("class")
            credit = await page.locator("#attribution").inner_text()
        finally:
            await browser.close()
    assert streets > 50  # the streets between Schaan and Vaduz, not just the route
    assert first == "street"  # drawn first: under the route, stops and vehicles
    assert "© OpenStreetMap contributors" in credit
    assert outside == []  # no tile server, nothing from outside the platform
