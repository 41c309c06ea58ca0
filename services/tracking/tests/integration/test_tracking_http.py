"""HTTP: device registration, a ping batch with one bad ping, completion with proof, the page."""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.events.topics import DELIVERIES, ETAS, GPS_PINGS
from tracking.domain.fixes import Fix
from tracking.simulation import offset, planned_route, route_trace

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def as_ping(vehicle: str, fix) -> Ping:  # type: ignore[no-untyped-def]
    return Ping(
        vehicle_id=vehicle,
        time=fix.time,
        lat=fix.lat,
        lon=fix.lon,
        accuracy_m=fix.accuracy_m,
        speed_mps=fix.speed_mps,
    )


async def device_for(app: RunningApp, auth: dict[str, str], vehicle: str) -> dict[str, str]:
    response = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['device_token']}"}


async def test_ping_batch_with_one_bad_ping(infra: Infrastructure, app: RunningApp) -> None:
    tenant, auth = new_tenant()
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    device = await device_for(app, auth, vehicle)
    now = datetime.now(UTC).replace(microsecond=0)
    good = {"time": now.isoformat(), "lat": 52.52, "lon": 13.40, "accuracy_m": 6.0}
    later = dict(good, time=(now + timedelta(seconds=5)).isoformat(), lon=13.4005)
    bad = dict(good, lat=123.0)
    async with TopicReader(infra.kafka_bootstrap, GPS_PINGS) as reader:
        response = await app.client.post(
            "/v1/pings", json={"pings": [good, bad, later]}, headers=device
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["accepted"] == [0, 2]
        assert [r["index"] for r in body["rejected"]] == [1]
        assert body["rejected"][0]["errors"][0]["field"] == "pings[1].lat"
        [event] = await reader.wait_for(lambda e: e.tenant == tenant)
    assert event.type == "ping.batch"
    assert [p.lon for p in event.data.pings] == [13.40, 13.4005]  # type: ignore[attr-defined]
    await eventually(
        lambda: (
            (tenant, vehicle) in app.state.tracker.state.vehicles
            and app.state.tracker.state.vehicles[(tenant, vehicle)].last is not None
        )
    )

    async def listed() -> list[dict[str, object]]:
        # Read from PostgreSQL (any replica answers): once the ping writer flushed the position.
        vehicles = (await app.client.get("/v1/vehicles", headers=auth)).json()["vehicles"]
        return vehicles if vehicles and vehicles[0]["position"] else []

    [shown] = await eventually(listed, what="the vehicle's position in /v1/vehicles")
    assert shown["position"]["lon"] == 13.4005  # type: ignore[index]
    # All bad: 422 naming each field; no credentials or an API key instead of a device: refused.
    all_bad = await app.client.post("/v1/pings", json={"pings": [bad]}, headers=device)
    assert all_bad.status_code == 422
    assert all_bad.headers["content-type"].startswith("application/problem+json")
    assert (await app.client.post("/v1/pings", json={"pings": [good]})).status_code == 401
    assert (
        await app.client.post("/v1/pings", json={"pings": [good]}, headers=auth)
    ).status_code == 403


async def planned_and_started(
    app: RunningApp,
    producer: AIOKafkaProducer,
    tenant: str,
    stops: int = 2,
    visit: list[int] | None = None,
) -> tuple[object, list]:  # type: ignore[type-arg]
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    route = planned_route(route_id, vehicle, start, stops=stops)
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    await eventually(lambda: route_id in app.state.tracker.state.routes)
    return route, route_trace(route, start, order=visit)


async def test_completion_with_proof(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = new_tenant()
    route, _ = await planned_and_started(app, producer, tenant)
    device = await device_for(app, auth, route.vehicle_id)  # type: ignore[attr-defined]
    stop = route.stops[0]  # type: ignore[attr-defined]
    url = f"/v1/routes/{route.route_id}/stops/{stop.stop_id}:complete"  # type: ignore[attr-defined]
    lat, lon = offset(stop.location.lat, stop.location.lon, 300, 0)  # 300 m away: flagged
    body = {
        "outcome": "delivered",
        "proof": {
            "photo_ref": "media/p1.jpg",
            "signature_ref": "media/s1.svg",
            "recipient_name": "Ada",
            "location": {"lat": lat, "lon": lon},
        },
    }
    missing = await app.client.post(url, json={"outcome": "failed"}, headers=device)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "body.reason_code"
    async with TopicReader(infra.kafka_bootstrap, DELIVERIES) as reader:
        response = await app.client.post(url, json=body, headers=device)
        assert response.status_code == 200, response.text
        assert response.json()["flagged_far"] is True
        [event] = await reader.wait_for(
            lambda e: e.tenant == tenant and e.type == "order.delivered"
        )
    proof = event.data.proof  # type: ignore[attr-defined]
    assert (proof.photo_ref, proof.signature_ref, proof.recipient_name) == (
        "media/p1.jpg",
        "media/s1.svg",
        "Ada",
    )
    assert proof.flagged_far and 250 < proof.distance_from_address_m < 350
    assert event.data.tracking_token  # type: ignore[attr-defined]
    again = await app.client.post(url, json=body, headers=device)
    assert again.status_code == 409
    other_tenant = new_tenant()[1]
    assert (await app.client.post(url, json=body, headers=other_tenant)).status_code == 404


async def _dump_dom(url: str, screenshot: Path | None = None) -> str:
    assert CHROMIUM is not None
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--virtual-time-budget=2000",
    ]
    args += (
        [f"--screenshot={screenshot}", "--window-size=480,720"] if screenshot else ["--dump-dom"]
    )
    proc = await asyncio.create_subprocess_exec(
        *args, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    return out.decode()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
async def test_tracking_page_in_headless_chromium(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer, tmp_path: Path
) -> None:
    tenant, _ = new_tenant()
    route, fixes = await planned_and_started(app, producer, tenant, stops=3, visit=[1])
    mine, other = route.stops[1], route.stops[2]  # type: ignore[attr-defined]
    vehicle = route.vehicle_id  # type: ignore[attr-defined]
    async with TopicReader(infra.kafka_bootstrap, ETAS) as reader:
        pings = [as_ping(vehicle, f) for f in fixes]
        for i in range(0, len(pings), 50):
            batch = PingBatch(vehicle_id=vehicle, pings=tuple(pings[i : i + 50]))
            await publish(producer, batch, tenant=tenant, key=vehicle)
        state = app.state.tracker.state
        await eventually(
            lambda: (
                (v := state.vehicles.get((tenant, vehicle))) is not None
                and v.last is not None
                and v.last.time == fixes[-1].time
            )
        )
        last_told = state.told[(tenant, mine.order_id)]
        told = await reader.wait_for(
            lambda e: (
                e.tenant == tenant
                and e.data.order_id == mine.order_id
                and e.data.sequence == last_told.sequence
            )
        )
    latest = told[0].data
    assert latest.stops_away == 1  # the van is at stop 1; this order is next but one
    token = latest.tracking_token

    async def page_told() -> dict[str, Any] | None:
        # From PostgreSQL (any replica answers): once the ping writer flushed the ETA told.
        view: dict[str, Any] = (await app.client.get(f"/track/{token}.json")).json()
        return view if view["window_start"] == latest.window_start.isoformat() else None

    as_json = await eventually(page_told, what="the latest ETA on the page")
    assert as_json["stops_away"] == 1
    assert as_json["vehicle"] is not None  # a few stops away: the map shows the van
    dom = await _dump_dom(f"{app.url}/track/{token}")
    expected = f"{latest.window_start:%H:%M}–{latest.window_end:%H:%M}"  # route time zone: UTC
    window = re.search(r'id="eta-window">([^<]*)<', dom)
    assert window is not None, dom[:2000]
    assert window.group(1) == expected
    assert 'id="vehicle-marker"' in dom
    assert 'id="home-marker"' in dom
    assert "1 stop before yours" in dom
    for text in (dom, str(as_json)):  # never another customer's stop
        assert str(other.location.lon) not in text
        assert other.order_id not in text
    await _dump_dom(f"{app.url}/track/{token}", tmp_path / "page.png")
    assert (tmp_path / "page.png").stat().st_size > 1000
    shutil.copy(tmp_path / "page.png", "/tmp/tracking-page.png")
    assert (await app.client.get("/track/not-a-token.json")).status_code == 404


async def test_dispatcher_stream_sees_own_tenant_positions(app: RunningApp) -> None:
    _, auth = new_tenant()
    other, _ = new_tenant()
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    device = await device_for(app, auth, vehicle)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    seen: list[str] = []
    async with (
        httpx.AsyncClient(base_url=app.url, timeout=20) as client,
        client.stream("GET", "/v1/stream", headers=auth) as stream,
    ):
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        while "event: snapshot" not in seen:
            seen.append(await anext(lines))
        # Another tenant's vehicle first: it must never show up on this stream.
        await app.state.tracker.pings(
            None, other, "intruder", [Fix(datetime.now(UTC), 52.5, 13.4)], datetime.now(UTC)
        )
        body = {"pings": [{"time": now, "lat": 52.53, "lon": 13.41}]}
        assert (await app.client.post("/v1/pings", json=body, headers=device)).status_code == 200
        while not any(vehicle in line for line in seen):
            seen.append(await asyncio.wait_for(anext(lines), 20))
    assert "event: position" in seen
    assert not any("intruder" in line for line in seen)
    assert (await app.client.get("/v1/stream")).status_code == 401


async def test_stream_sends_the_snapshot_at_once_to_a_tenant_with_no_data(
    app: RunningApp,
) -> None:
    _, auth = new_tenant()
    loop = asyncio.get_running_loop()
    async with (
        httpx.AsyncClient(base_url=app.url, timeout=20) as client,
        client.stream("GET", "/v1/stream", headers=auth) as stream,
    ):
        started = loop.time()
        lines = stream.aiter_lines()
        first = await asyncio.wait_for(anext(lines), 5)
        while not first.startswith("data:"):
            first = await asyncio.wait_for(anext(lines), 5)
        waited = loop.time() - started
    assert first == 'data: {"vehicles": []}'
    assert waited < 1.0, f"the snapshot took {waited:.1f} s"
