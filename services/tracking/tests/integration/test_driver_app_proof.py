"""The driver's app in headless Chromium, at the door: address, note, phone and navigation
links, a break, a re-planned stop marked new, a non-image photo refused with a clear message,
then a delivery with camera photo, drawn signature and the age check confirmed offline (kept
on the phone, sent when back online); the stored proof, the
event and the customer's photo; "route finished" refused while stops are open."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import polyline
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.routes import RoutePlanned, RouteUpdated
from lastmile_common.events.topics import DELIVERIES
from playwright.async_api import BrowserContext, Locator, Page, async_playwright
from tracking.simulation import planned_route

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from ..media import png
from .conftest import new_tenant
from .test_driver_app import ARGS, CHROMIUM

pytestmark = pytest.mark.integration
DOOR = {
    "address": "Hauptstr. 5, 10115 Berlin",
    "recipient_name": "Ada Lovelace",
    "phone": "+4930123456",
    "note": "Ring twice, side door",
    "skills": ("age_check",),
}


def _route(route_id: str, vehicle: str, stops: int, version: int = 1) -> RoutePlanned:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    route = planned_route(route_id, vehicle, start, stops=stops, version=version)
    first = route.stops[0].model_copy(update=DOOR)
    return route.model_copy(update={"stops": (first, *route.stops[1:])})


async def _publish(
    app: RunningApp, producer: AIOKafkaProducer, tenant: str, route: RoutePlanned
) -> None:
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    await eventually(
        lambda: (
            (found := app.state.tracker.state.routes.get(route.route_id)) is not None
            and found.version == route.version
        )
    )


async def _sign(page: Page, canvas: Locator) -> None:
    box = await canvas.bounding_box()
    assert box is not None
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    for step in range(1, 9):
        await page.mouse.move(x + 25 * step, y + (12 if step % 2 else -12), steps=2)
    await page.mouse.up()


async def test_delivery_at_the_door_with_photo_signature_and_age_check(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    route = _route(route_id, vehicle, stops=2)
    await _publish(app, producer, tenant, route)
    made = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    door_at = route.stops[0].location
    async with (
        async_playwright() as p,
        TopicReader(infra.kafka_bootstrap, DELIVERIES) as deliveries,
    ):
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(
                permissions=["geolocation"],
                geolocation={"latitude": door_at.lat, "longitude": door_at.lon, "accuracy": 5},
            )
            page = await context.new_page()
            await page.goto(made.json()["sign_in_url"].replace("http://tracking", app.url))
            first = page.locator(f"li.stop[data-stop-id='{route.stops[0].stop_id}']")
            await first.wait_for(timeout=10_000)
            await _door_details(page, first)
            await _break(context, page)
            await _replanned(app, producer, tenant, page, route_id, vehicle)
            await _non_image_refused(page, first)
            await first.locator("input[name=photo]").set_input_files(
                {"name": "door.png", "mimeType": "image/png", "buffer": png(40, 30)}
            )
            # Confirmed offline: kept with its photo and signature, sent once back online.
            await context.set_offline(True)
            await first.locator(".deliver-form button[type=submit]").click()
            await page.wait_for_function(
                "document.getElementById('queue').textContent.includes('1 stops waiting')"
            )
            await context.set_offline(False)
            [event] = await deliveries.wait_for(
                lambda e: e.tenant == tenant and e.type == "order.delivered"
            )
            await page.wait_for_function(
                "document.querySelector('li.stop.done .status').textContent.includes('delivered')"
            )
            await page.locator("#finish").click()
            await page.wait_for_function(
                "document.getElementById('day-status').textContent.includes('still open')"
            )
            await _customer_sees_the_photo(page, app, event)
        finally:
            await browser.close()
    await _assert_proof(app, auth, event)


async def _door_details(page: Page, first: Locator) -> None:
    text = await first.inner_text()
    for shown in ("Hauptstr. 5, 10115 Berlin", "Ada Lovelace", "Ring twice, side door"):
        assert shown in text
    assert await first.locator("a.call").get_attribute("href") == "tel:+4930123456"
    assert (await first.locator("a.nav").get_attribute("href") or "").startswith("geo:")
    assert "destination=" in (await first.locator("a.maps").get_attribute("href") or "")
    assert await page.locator("#map circle").count() >= 2
    await _next_leg(page)


async def _next_leg(page: Page) -> None:
    """The map's next leg: the planned roads from the last stop done to the next open one."""
    road = [(52.50, 13.40), (52.51, 13.40), (52.52, 13.40), (52.52, 13.41), (52.53, 13.41)]
    stops = [
        {"sequence": 1, "lat": 52.51, "lon": 13.40, "status": "delivered"},
        {"sequence": 2, "lat": 52.52, "lon": 13.41, "status": "pending"},
    ]
    leg = await page.evaluate(
        "([text, stops]) => RouteMap.nextLeg(RouteMap.decode(text), {stops}, stops[1], null)",
        [polyline.encode(road, 5), stops],
    )
    assert [tuple(p) for p in leg] == road[1:4]


async def _break(context: BrowserContext, page: Page) -> None:
    await context.set_offline(True)  # a break needs the server: said so, nothing changes
    await page.locator("#break").click()
    await page.wait_for_function(
        "document.getElementById('day-status').textContent.startsWith('No connection')"
    )
    await context.set_offline(False)
    await page.locator("#break").click()
    await page.wait_for_function(
        "document.getElementById('day-status').textContent.startsWith('On break')"
    )
    await page.locator("#break").click()
    await page.wait_for_function("document.getElementById('break').textContent === 'Start break'")


async def _replanned(
    app: RunningApp,
    producer: AIOKafkaProducer,
    tenant: str,
    page: Page,
    route_id: str,
    vehicle: str,
) -> None:
    """The planner adds a third stop: the app marks it new (and only it)."""
    bigger = _route(route_id, vehicle, stops=3, version=2)
    await _publish(app, producer, tenant, RouteUpdated.model_validate(bigger.model_dump()))
    await page.reload()
    await page.locator("li.stop.new").wait_for(timeout=10_000)
    assert await page.locator("li.stop").count() == 3
    assert await page.locator("li.stop.new").get_attribute("data-stop-id") == f"{route_id}-s3"
    assert "1 new stops" in await page.locator("#notice").inner_text()


async def _non_image_refused(page: Page, first: Locator) -> None:
    """A file that is no image: the server's 415 is shown; nothing is delivered."""
    await first.locator("button.deliver").click()
    form = first.locator(".deliver-form")
    await form.locator("input[name=recipient]").fill("A. Lovelace")
    await _sign(page, form.locator("canvas"))
    assert not await form.evaluate("f => f.checkValidity()")  # the age check is required
    await form.locator("input[name=skill_age_check]").check()
    await form.locator("input[name=photo]").set_input_files(
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just some text"}
    )
    await form.locator("button[type=submit]").click()
    await page.wait_for_function(
        "document.querySelector('li.stop .error').textContent.includes('not a valid image/jpeg')"
    )


async def _customer_sees_the_photo(page: Page, app: RunningApp, event: Envelope) -> None:
    """The customer's tracking page shows the delivery photo, loaded."""
    await page.goto(f"{app.url}/track/{event.data.tracking_token}")  # type: ignore[attr-defined]
    await page.wait_for_function(
        "(() => { const img = document.getElementById('delivery-photo');"
        " return img && img.complete && img.naturalWidth === 40; })()"
    )


async def _assert_proof(app: RunningApp, auth: dict[str, str], event: Envelope) -> None:
    proof = event.data.proof  # type: ignore[attr-defined]
    assert proof.recipient_name == "A. Lovelace"
    assert not proof.flagged_far
    assert proof.photo_ref.startswith("proof:") and proof.signature_ref.startswith("proof:")
    photo = await app.client.get(f"/v1/proofs/{proof.photo_ref[6:]}", headers=auth)
    assert photo.headers["content-type"] == "image/jpeg"  # downscaled and re-encoded
    assert photo.content[:3] == b"\xff\xd8\xff"
    signature = await app.client.get(f"/v1/proofs/{proof.signature_ref[6:]}", headers=auth)
    assert signature.headers["content-type"] == "image/svg+xml"
    assert b'<path d="M' in signature.content
    token = event.data.tracking_token  # type: ignore[attr-defined]
    customer = await app.client.get(f"/track/{token}/photo")
    assert (customer.status_code, customer.content) == (200, photo.content)
