"""The driver's route map draws the streets of the platform's map extract under the route (the
base layer the console and the customer's page draw), with the OpenStreetMap attribution, and
still has them when the app opens offline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from playwright.async_api import Page
from tracking.simulation import planned_route

from lastmile.testing.apps import RunningApp
from lastmile.testing.browser import phone
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration
VADUZ = (47.1410, 9.5215)  # inside the shipped extract (Liechtenstein)
STREETS = "#map polyline.street"


async def test_the_route_map_draws_the_streets_under_the_route(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    route = planned_route(route_id, vehicle, start, stops=2, spacing_m=600.0, depot=VADUZ)
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    await eventually(lambda: route_id in app.state.tracker.state.routes)
    made = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    assert made.status_code == 201, made.text
    async with phone(*VADUZ) as (context, page):
        await page.goto(f"{app.url}/driver/#token={made.json()['device_token']}")
        await page.locator(STREETS).nth(19).wait_for(state="attached", timeout=10_000)
        await _under_the_route(page)
        link = page.locator("#map-box figcaption a")
        assert await link.get_attribute("href") == "https://www.openstreetmap.org/copyright"
        assert "© OpenStreetMap contributors" in await link.inner_text()
        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        await context.set_offline(True)  # reopened offline: the streets kept on the phone
        await page.reload()
        await page.locator(STREETS).nth(19).wait_for(state="attached", timeout=10_000)


async def _under_the_route(page: Page) -> None:
    """Streets come first in the SVG (drawn under the route), each meeting the frame."""
    kinds = await page.eval_on_selector_all("#map > *", "nodes => nodes.map(n => n.classList[0])")
    first_route = min(kinds.index(k) for k in ("road", "stop", "next") if k in kinds)
    assert set(kinds[:first_route]) == {"street"} and "street" not in kinds[first_route:]
    inside = await page.eval_on_selector_all(
        STREETS,
        """lines => lines.filter(l => {
            const xs = [...l.points].map(p => p.x), ys = [...l.points].map(p => p.y);
            return Math.min(...xs) <= 320 && Math.max(...xs) >= 0
                && Math.min(...ys) <= 320 && Math.max(...ys) >= 0;
        }).length""",
    )
    assert inside == len([k for k in kinds if k == "street"])


async def test_the_basemap_holds_the_streets_of_the_box_for_a_device(app: RunningApp) -> None:
    _, auth = new_tenant()
    made = await app.client.post("/v1/devices", json={"vehicle_id": "van-map"}, headers=auth)
    device = {"Authorization": f"Bearer {made.json()['device_token']}"}
    box = {"south": 47.13, "west": 9.51, "north": 47.15, "east": 9.53}
    answer = await app.client.get("/v1/device/basemap", params=box, headers=device)
    assert answer.status_code == 200, answer.text
    layer = answer.json()
    assert layer["attribution"] == "© OpenStreetMap contributors"
    assert len(layer["roads"]) > 50
    for road in layer["roads"]:
        lats, lons = [p[0] for p in road["points"]], [p[1] for p in road["points"]]
        assert min(lats) <= box["north"] and max(lats) >= box["south"]
        assert min(lons) <= box["east"] and max(lons) >= box["west"]
    berlin = {"south": 52.5, "west": 13.4, "north": 52.51, "east": 13.41}
    far = await app.client.get("/v1/device/basemap", params=berlin, headers=device)
    assert far.json()["roads"] == []
    key = await app.client.get("/v1/device/basemap", params=box, headers=auth)
    assert key.status_code == 403
    bad = await app.client.get("/v1/device/basemap", params={**box, "north": 91}, headers=device)
    assert bad.status_code == 422
    # A region, not a route's surroundings, or a box upside down: refused, naming the side.
    for params, field in (
        ({**box, "north": 48.5}, "north"),
        ({**box, "east": 10.9}, "east"),
        ({**box, "north": 47.0}, "north"),
    ):
        refused = await app.client.get("/v1/device/basemap", params=params, headers=device)
        assert refused.status_code == 422, params
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in refused.json()["errors"]] == [field]
