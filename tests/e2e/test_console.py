"""The dispatcher console in headless Chromium, on the demo day that just ran."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from lastmile.demo.run import DemoRun

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("LASTMILE_CHROMIUM", "/usr/bin/chromium")


async def test_console_shows_routes_vehicles_reasons_etas_and_messages(demo_day: DemoRun) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install -y chromium"
    console = demo_day.platform.console
    assert console is not None
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page(viewport={"width": 1500, "height": 1100})
            await page.goto(f"{console}/?tenant={demo_day.tenant_id}")
            await page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            # The console reads the topics from the start: wait until it caught up with the day.
            await page.wait_for_function(
                "document.querySelectorAll('#map circle.stop.delivered').length >= 20",
                timeout=30_000,
            )
            routes = await page.locator("#routes tr.route-row").count()
            assert routes == len(demo_day.state.routes)  # type: ignore[union-attr]
            assert await page.locator("#map g.vehicle").count() >= 2
            assert await page.locator("#map polyline.route").count() == routes
            # Routes follow the roads the planner sent (many points, not a corner per stop),
            # and the map says whose data it draws.
            lines = await page.locator("#map polyline.route").evaluate_all(
                "lines => lines.map(l => l.getAttribute('points').split(' ').length)"
            )
            stops = await page.locator("#map circle.stop").count()
            assert sum(lines) > 2 * (stops + 2 * routes)
            credit = page.locator("#attribution a")
            assert await credit.get_attribute("href") == "https://www.openstreetmap.org/copyright"
            assert "© OpenStreetMap contributors" in await page.locator("#attribution").inner_text()
            # The three impossible orders, plus any late order a re-plan could no longer fit
            # (how many depends on where the simulated day stood when the re-plan ran).
            unassigned = demo_day.state.figures()["unassigned"]  # type: ignore[union-attr]
            assert unassigned >= 3
            await page.wait_for_function(
                f"document.querySelectorAll('tr.unassigned-row').length === {unassigned}",
                timeout=30_000,
            )
            assert "too_heavy" in await page.locator("#unassigned").inner_text()
            assert await page.locator("tr.message-row").count() > 10
            eta = await page.locator("#eta").inner_text()
            assert "p50" in eta and "min" in eta
            link = await page.locator("a.track").first.get_attribute("href")
            assert link and "/track/" in link
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "console.png"), full_page=True)
            tracking = await browser.new_page()
            response = await tracking.goto(link)
            assert response is not None and response.status == 200
            await tracking.screenshot(path=str(ARTIFACTS / "tracking-page.png"))
        finally:
            await browser.close()
