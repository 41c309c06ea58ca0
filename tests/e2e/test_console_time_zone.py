"""The console tells times in the depot's time zone, named (a browser test on a folded day)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lastmile_common.events.base import EventData, GeoPoint
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned
from playwright.async_api import async_playwright

from lastmile.console.app import Tenants, console_app
from lastmile.testing.console import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = [pytest.mark.e2e]

CHICAGO_DEPOT = GeoPoint(lat=41.85, lon=-87.65)
# 17:40 in Chicago (CST, UTC-6) on a winter day: 00:40 the next day in Berlin.
FIX_AT = datetime(2030, 1, 15, 23, 40, tzinfo=UTC)


def _envelope(data: EventData, tenant: str) -> Envelope:
    return Envelope.wrap(data, source="test", tenant=tenant, subject="s")


def _chicago_day(tenant: str) -> Tenants:
    start = FIX_AT - timedelta(hours=2)
    stop = PlannedStop(
        stop_id="s1", sequence=1, order_id="o1", location=CHICAGO_DEPOT,
        planned_arrival=start + timedelta(hours=1),
        planned_departure=start + timedelta(hours=1, minutes=3), service_time_s=180,
    )  # fmt: skip
    route = RoutePlanned(
        plan_id="p1", route_id="r1", depot_id="chicago", vehicle_id="van-7",
        vehicle_kind="van", service_date="2030-01-15", time_zone="America/Chicago",
        depot_location=CHICAGO_DEPOT, start_time=start, end_time=start + timedelta(hours=4),
        distance_m=1000.0, duration_s=3600.0, load=Load(), stops=(stop,),
    )  # fmt: skip
    ping = Ping(vehicle_id="van-7", time=FIX_AT, lat=41.86, lon=-87.64)
    tenants = Tenants()
    tenants.apply(_envelope(route, tenant))
    tenants.apply(_envelope(ping, tenant))
    return tenants


@pytest.fixture
async def console() -> AsyncIterator[str]:
    """The console's HTTP side over a Chicago day."""
    async with serving(console_app(_chicago_day("t-chicago"), {})) as url:
        yield url


async def test_a_chicago_fix_reads_in_chicago_time_named(console: str) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install -y chromium"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{console}/?tenant=t-chicago")
            await page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            clock = await page.locator("#clock").text_content() or ""
            legend = await page.locator("#map + div").inner_text()
        finally:
            await browser.close()
    assert "17:40" in clock and "15/01/2030" in clock, clock
    assert "America/Chicago" in clock
    assert "00:40" not in clock
    assert "times in America/Chicago" in legend
    assert "Berlin" not in legend
