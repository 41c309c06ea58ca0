"""The demo day hands one vehicle to the driver's app: a device and sign-in link for it, no
simulated pings for it, and the phone's wall-clock fixes start its (tomorrow's) route."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.api_keys import issue
from lastmile_common.routing import RoutingSettings
from tracking.bootstrap import create_app
from tracking.settings import TrackingSettings
from tracking.simulation import DEPOT, offset, planned_route

from lastmile.console.feed import EventFeed
from lastmile.console.state import DayState
from lastmile.demo import run as demo_run
from lastmile.demo.day import DemoDay
from lastmile.demo.hand_off import EARLY_START_S
from lastmile.demo.places import TIME_ZONE
from lastmile.demo.platform import Platform
from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import running_app
from lastmile.testing.browser import phone
from lastmile.testing.fixtures import publish
from lastmile.testing.roads import TEST_CACHE
from lastmile.testing.waiting import eventually

pytestmark = pytest.mark.integration
SECRET = "dev-api-key-secret-change-me"


class CountingTelematics(demo_run.Telematics):
    """The demo's telematics gateway, noting which vehicles it sent pings for."""

    vehicles: set[str] = set()

    async def send(self, tenant_id: str, vehicle_id: str, pings: list[dict[str, Any]]) -> None:
        CountingTelematics.vehicles.add(vehicle_id)
        await super().send(tenant_id, vehicle_id, pings)


# size: one scene: a demo day with a hand-off, then what the phone sees and sends
async def test_handed_off_vehicle_is_driven_by_the_app_only(
    infra: Infrastructure,
    producer: AIOKafkaProducer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = TrackingSettings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        ping_flush_interval_s=0.1,
        outbox_poll_interval_s=0.05,
        proof_dir=str(tmp_path / "proofs"),
        max_clock_ahead_s=2 * 86400,  # as `lastmile up` runs it: simulated pings are tomorrow's
        early_start_s=EARLY_START_S,  # as `lastmile up --hand-off` runs it
    )
    tenant = uuid.uuid4().hex
    key = issue(SECRET, tenant).raw
    zone = ZoneInfo(TIME_ZONE)
    tomorrow = datetime.now(UTC).astimezone(zone).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(7, 30), zone)
    mine, simulated = (
        planned_route("r-app", "van-1", start, stops=1),
        planned_route("r-sim", "van-2", start, stops=1),
    )
    run_file = tmp_path / "run.json"
    async with running_app(
        create_app(settings, RoutingSettings(cache_dir=TEST_CACHE)), serve=True
    ) as app:
        assert app.url is not None
        run_file.write_text(json.dumps({"services": {"tracking": app.url}}))
        platform = Platform(
            services={"tracking": app.url, "orders": "http://127.0.0.1:9"},
            kafka_bootstrap=infra.kafka_bootstrap,
            database_url=infra.database_url,
        )
        config = demo_run.DemoConfig(speed=600.0, hand_off="van-1", timeout_s=90, quirks=False)
        demo = demo_run.DemoRun(platform, config, lambda line: None, run_file)
        demo.api_key, demo.tenant_id = key, tenant
        demo.state = state = DayState(tenant)
        demo.producer = producer
        feed = EventFeed(infra.kafka_bootstrap, state.apply, name=f"hand-off-{tenant[:8]}")
        await feed.start()
        try:
            for route in (mine, simulated):
                await publish(producer, route, tenant=tenant, key=route.depot_id)
            await eventually(lambda: {"r-app", "r-sim"} <= set(state.routes), timeout=30)
            await eventually(
                lambda: {"r-app", "r-sim"} <= set(app.state.tracker.state.routes), timeout=30
            )
            monkeypatch.setattr(demo_run, "Telematics", CountingTelematics)
            CountingTelematics.vehicles = set()
            await demo._drive(DemoDay(tomorrow, ()), mine.depot_id)
        finally:
            await feed.stop()

        assert CountingTelematics.vehicles == {"van-2"}  # the simulated van drove; van-1 did not
        assert state.routes["r-sim"].completed_at is not None
        handed = demo.handed_off
        assert handed is not None and handed["vehicle_id"] == "van-1"
        link = handed["sign_in_url"]
        assert link.startswith(f"{app.url}/driver/#token=")
        assert json.loads(run_file.read_text())["hand_off"]["sign_in_url"] == link
        page = await app.client.get("/driver/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        phone = {"Authorization": f"Bearer {link.split('#token=', 1)[1]}"}
        day = (await app.client.get("/v1/device/route", headers=phone)).json()
        assert day["vehicle_id"] == "van-1"
        route = day["route"]
        assert route["route_id"] == "r-app"
        assert [s["order_id"] for s in route["stops"]] == [mine.stops[0].order_id]

        # The link in a browser: the app shows the route, and its wall-clock fixes (a day
        # before the route's plan) start it.
        await _phone_drives(link, mine.stops[0].stop_id)
        tracked = app.state.tracker.state.routes
        await eventually(lambda: tracked["r-app"].started_at is not None, timeout=20)


async def _phone_drives(link: str, stop_id: str) -> None:
    """Open the sign-in link in headless Chromium away from the depot; wait for the stop."""
    away = offset(DEPOT[0], DEPOT[1], 800.0, 0.0)
    async with phone(*away) as (_, page):
        await page.goto(link)
        await page.locator(f"li.stop[data-stop-id='{stop_id}']").wait_for(timeout=10_000)
        await page.wait_for_function(
            "document.getElementById('queue').textContent === ''", timeout=10_000
        )
        await asyncio.sleep(1.0)  # a moment for the batch to reach tracking
