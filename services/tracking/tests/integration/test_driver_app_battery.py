"""The driver's app on a German phone with a low battery: German words, the low-battery notice,
pings that carry the level, and one fix kept per 30 s instead of every one."""

from __future__ import annotations

import uuid

import pytest
from lastmile_common.events.topics import GPS_PINGS
from playwright.async_api import async_playwright
from tracking.simulation import DEPOT, offset

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader

from .conftest import new_tenant
from .test_driver_app import ARGS, CHROMIUM

pytestmark = pytest.mark.integration
# Headless Chromium has no battery: the page gets one at 15 %, not charging.
LOW_BATTERY = """
navigator.getBattery = async () => {
  const battery = new EventTarget();
  Object.assign(battery, { level: 0.15, charging: false });
  return battery;
};
"""


async def test_low_battery_german_phone(infra: Infrastructure, app: RunningApp) -> None:
    tenant, auth = new_tenant()
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    made = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    lats = [offset(DEPOT[0], DEPOT[1], 100.0 * i, 0.0)[0] for i in range(3)]
    async with async_playwright() as p, TopicReader(infra.kafka_bootstrap, GPS_PINGS) as pings:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(
                locale="de-DE",
                permissions=["geolocation"],
                geolocation={"latitude": lats[0], "longitude": DEPOT[1], "accuracy": 5},
            )
            await context.add_init_script(LOW_BATTERY)
            page = await context.new_page()
            await page.goto(f"{app.url}/driver/#token={made.json()['device_token']}")
            await page.wait_for_function(
                "document.getElementById('battery').textContent.startsWith('Akku schwach')"
            )
            assert await page.locator("#route-summary").inner_text() == "Gerade keine Tour."
            assert await page.locator("#break").inner_text() == "Pause beginnen"
            [first] = await pings.wait_for(lambda e: e.tenant == tenant, timeout=20)
            for lat in lats[1:]:  # moved twice within 30 s: neither fix is kept
                await context.set_geolocation(
                    {"latitude": lat, "longitude": DEPOT[1], "accuracy": 5}
                )
            await page.wait_for_timeout(1500)
            waiting = await page.evaluate("PingQueue.count()")
        finally:
            await browser.close()
        later = await pings.wait_for(lambda e: e.tenant == tenant, timeout=2)
    [ping] = first.data.pings  # type: ignore[attr-defined]
    assert (ping.lat, ping.battery) == (lats[0], 0.15)
    assert waiting == 0 and later == []
