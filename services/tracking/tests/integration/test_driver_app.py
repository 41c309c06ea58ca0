"""The driver's app in headless Chromium on a real tracking app: sign in by link, the route with
its load labels, pings queued offline and sent in order, a delivery, a revoked device."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.routes import LoadPlanEntry, RoutePlanned
from lastmile_common.events.topics import DELIVERIES, GPS_PINGS
from playwright.async_api import BrowserContext, Page, async_playwright
from tracking.simulation import DEPOT, offset, planned_route

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration
CHROMIUM = os.environ.get("LASTMILE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


async def _route_with_labels(
    app: RunningApp, producer: AIOKafkaProducer, tenant: str
) -> RoutePlanned:
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    route = planned_route(route_id, vehicle, start, stops=2)
    labels = (LoadPlanEntry(order_id=route.stops[0].order_id, load_sequence=2, label="B-07"),)
    route = route.model_copy(update={"load_plan": labels})
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    await eventually(lambda: route_id in app.state.tracker.state.routes)
    return route


async def _lats_sent(reader: TopicReader, tenant: str, count: int) -> list[float]:
    """Latitudes of the pings tracking received from the app, in the order published."""
    lats: list[float] = []
    while len(lats) < count:
        found = await reader.wait_for(lambda e: e.tenant == tenant, timeout=20)
        assert found, f"only {lats} reached tracking"
        lats += [p.lat for e in found for p in e.data.pings]  # type: ignore[attr-defined]
    return lats


async def _move(context: BrowserContext, page: Page, lat: float, queued: int) -> None:
    """A new fix from the phone; offline, wait until it is queued."""
    await context.set_geolocation({"latitude": lat, "longitude": DEPOT[1], "accuracy": 5})
    if queued:
        await page.wait_for_function(
            f"document.getElementById('queue').textContent.startsWith('{queued} ')",
            timeout=10_000,
        )


async def test_driver_app_pings_offline_and_delivers(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install -y chromium"
    tenant, auth = new_tenant()
    route = await _route_with_labels(app, producer, tenant)
    made = await app.client.post("/v1/devices", json={"vehicle_id": route.vehicle_id}, headers=auth)
    device = made.json()
    lats = [offset(DEPOT[0], DEPOT[1], 100.0 * i, 0.0)[0] for i in range(4)]
    async with (
        async_playwright() as p,
        TopicReader(infra.kafka_bootstrap, GPS_PINGS) as pings,
        TopicReader(infra.kafka_bootstrap, DELIVERIES) as deliveries,
    ):
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context(
                permissions=["geolocation"],
                geolocation={"latitude": lats[0], "longitude": DEPOT[1], "accuracy": 5},
            )
            page = await context.new_page()
            await page.goto(f"{app.url}/driver/#token={device['device_token']}")
            first = page.locator(f"li.stop[data-stop-id='{route.stops[0].stop_id}']")
            await first.wait_for(timeout=10_000)
            assert "#token" not in page.url, "the token is kept out of the address bar"
            assert await page.locator("li.stop").count() == 2
            assert "Parcel: B-07" in await first.inner_text()
            assert await _lats_sent(pings, tenant, 1) == lats[:1]
            # Offline: fixes queue up in IndexedDB; back online they go out oldest first.
            await context.set_offline(True)
            for queued, lat in enumerate(lats[1:], start=1):
                await _move(context, page, lat, queued)
            await context.set_offline(False)
            assert await _lats_sent(pings, tenant, 3) == lats[1:]
            await page.wait_for_function("document.getElementById('queue').textContent === ''")
            # Delivered from the page.
            await first.locator("button.deliver").click()
            await first.locator("input[name=recipient]").fill("A. Neighbour")
            await first.locator(".deliver-form button[type=submit]").click()
            [event] = await deliveries.wait_for(
                lambda e: e.tenant == tenant and e.type == "order.delivered"
            )
            await page.wait_for_function(
                "document.querySelector('li.stop.done .status').textContent.includes('delivered')"
            )
            await _opens_offline(context, page)
            failed = await _fail_second_stop(context, page, deliveries, tenant, route)
            await _revoked_is_signed_out(infra, context, page, device["device_id"], lats[0])
        finally:
            await browser.close()
    _assert_delivered(event, route)
    assert failed.data.order_id == route.stops[1].order_id  # type: ignore[attr-defined]
    assert failed.data.reason_code == "no_access"  # type: ignore[attr-defined]
    assert failed.data.reason == "gate locked"  # type: ignore[attr-defined]


async def _fail_second_stop(
    context: BrowserContext, page: Page, deliveries: TopicReader, tenant: str, route: RoutePlanned
) -> Envelope:
    """Fail the second stop from the page with a reason code and a note, offline: the
    completion waits on the phone and goes out when the connection returns."""
    second = page.locator(f"li.stop[data-stop-id='{route.stops[1].stop_id}']")
    await second.locator("button.fail").click()
    await second.locator("select[name=reason_code]").select_option("no_access")
    await second.locator("input[name=reason]").fill("gate locked")
    await context.set_offline(True)
    await second.locator(".fail-form button[type=submit]").click()
    await page.wait_for_function(
        "document.getElementById('queue').textContent.includes('1 stops waiting')"
    )
    assert "Saved on the phone" in await second.locator(".error").inner_text()
    assert await deliveries.wait_for(lambda e: e.tenant == tenant, timeout=2) == []
    await context.set_offline(False)
    [event] = await deliveries.wait_for(
        lambda e: e.tenant == tenant and e.type == "order.delivery_failed"
    )
    await page.wait_for_function("document.getElementById('queue').textContent === ''")
    return event


async def _opens_offline(context: BrowserContext, page: Page) -> None:
    """With the service worker installed, the app and the last route loaded open offline."""
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await context.set_offline(True)
    await page.reload()
    await page.locator("li.stop").first.wait_for(timeout=10_000)
    assert await page.locator("li.stop").count() == 2
    assert await page.locator("li.stop.done").count() == 1
    await context.set_offline(False)


async def _revoked_is_signed_out(
    infra: Infrastructure, context: BrowserContext, page: Page, device_id: str, lat: float
) -> None:
    """A revoked device is signed out at its next call, and forgets the pings it still holds."""
    await context.set_offline(True)
    await _move(context, page, lat, 1)
    await _revoke(infra.database_url, device_id)
    await context.set_offline(False)
    await page.locator("#signin").wait_for(timeout=10_000)
    assert "signed out" in await page.locator("#signin-message").inner_text()
    assert await page.evaluate("localStorage.getItem('lastmile.driver.token')") is None
    await eventually(lambda: _queue_empty(page), timeout=5.0, what="the ping queue cleared")


async def _queue_empty(page: Page) -> bool:
    return bool(await page.evaluate("PingQueue.count()") == 0)


def _assert_delivered(event: Envelope, route: RoutePlanned) -> None:
    data = event.data
    assert data.order_id == route.stops[0].order_id  # type: ignore[attr-defined]
    assert data.proof.recipient_name == "A. Neighbour"  # type: ignore[attr-defined]
    assert data.proof.location is not None  # type: ignore[attr-defined]


async def _revoke(database_url: str, device_id: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        done = await conn.execute(
            "UPDATE tracking.devices SET revoked_at = now() WHERE device_id = $1", device_id
        )
        assert done == "UPDATE 1"
    finally:
        await conn.close()
