"""Proof of delivery over HTTP on the real app: uploads with limits and content checks, tenant
isolation, the reference in order.delivered, the customer's photo, retention."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.routes import RoutePlanned
from lastmile_common.events.topics import DELIVERIES
from tracking.simulation import planned_route

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from ..media import JPEG_HEAD, SIGNATURE_SVG, png
from .conftest import new_tenant

pytestmark = pytest.mark.integration
LIMIT = 64 * 1024  # the test app's photo limit (conftest)


async def _route(app: RunningApp, producer: AIOKafkaProducer, tenant: str) -> RoutePlanned:
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    route = planned_route(route_id, vehicle, start, stops=2)
    await publish(producer, route, tenant=tenant, key=route.depot_id)
    await eventually(lambda: route_id in app.state.tracker.state.routes)
    return route


async def _device(app: RunningApp, auth: dict[str, str], vehicle: str) -> dict[str, str]:
    made = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['device_token']}"}


def _path(route: RoutePlanned, stop: int, kind: str) -> str:
    return f"/v1/proofs/{route.route_id}/{route.stops[stop].stop_id}/{kind}"


@pytest.fixture
async def db(infra: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "tracking"})
    try:
        yield conn
    finally:
        await conn.close()


async def test_upload_limits_and_types_name_the_field(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = new_tenant()
    route = await _route(app, producer, tenant)
    device = await _device(app, auth, route.vehicle_id)
    photo = _path(route, 0, "photo")

    async def post(body: bytes, content_type: str, path: str = photo) -> dict[str, object]:
        response = await app.client.post(
            path, content=body, headers={**device, "Content-Type": content_type}
        )
        assert response.headers["content-type"].startswith("application/problem+json")
        return {"status": response.status_code, **response.json()}

    too_big = await post(JPEG_HEAD + b"\0" * LIMIT, "image/jpeg")
    assert too_big["status"] == 413
    assert too_big["errors"] == [{"field": "photo", "message": f"at most {LIMIT} bytes"}]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(LIMIT // 4096 + 2):
            yield b"\0" * 4096

    streamed = await app.client.post(
        photo, content=chunks(), headers={**device, "Content-Type": "image/png"}
    )
    assert streamed.status_code == 413
    wrong_type = await post(b"%PDF-1.7", "application/pdf")
    assert (wrong_type["status"], wrong_type["errors"][0]["field"]) == (415, "photo")  # type: ignore[index]
    lying = await post(b"<html>not a photo</html>", "image/jpeg")
    assert lying["status"] == 415
    assert "not a valid image/jpeg" in str(lying["detail"])
    svg_photo = await post(SIGNATURE_SVG, "image/svg+xml")
    assert svg_photo["status"] == 415
    script = await post(
        b"<svg><script>alert(1)</script></svg>", "image/svg+xml", _path(route, 0, "signature")
    )
    assert (script["status"], script["errors"][0]["field"]) == (415, "signature")  # type: ignore[index]


async def test_uploads_stay_within_the_tenant_and_the_vehicle(
    app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, auth = new_tenant()
    route = await _route(app, producer, tenant)
    device = await _device(app, auth, route.vehicle_id)
    other_vehicle = await _device(app, auth, "some-other-van")
    _, other_auth = new_tenant()
    headers = {"Content-Type": "image/png"}
    for who in (other_vehicle, other_auth):
        refused = await app.client.post(
            _path(route, 0, "photo"), content=png(), headers={**who, **headers}
        )
        assert refused.status_code == 404, refused.text
    made = await app.client.post(
        _path(route, 0, "photo"), content=png(), headers={**device, **headers}
    )
    assert made.status_code == 201, made.text
    proof_id = made.json()["proof_id"]
    own = await app.client.get(f"/v1/proofs/{proof_id}", headers=auth)
    assert (own.status_code, own.content) == (200, png())
    assert own.headers["content-type"] == "image/png"
    assert own.headers["x-content-type-options"] == "nosniff"
    assert (await app.client.get(f"/v1/proofs/{proof_id}", headers=other_auth)).status_code == 404
    assert (await app.client.get(f"/v1/proofs/{proof_id}", headers=device)).status_code == 403


async def test_delivered_with_uploaded_proof_shown_to_its_customer_then_expired(
    app: RunningApp, producer: AIOKafkaProducer, infra: Infrastructure, db: asyncpg.Connection
) -> None:
    tenant, auth = new_tenant()
    route = await _route(app, producer, tenant)
    device = await _device(app, auth, route.vehicle_id)
    photo = await app.client.post(
        _path(route, 0, "photo"), content=png(), headers={**device, "Content-Type": "image/png"}
    )
    signature = await app.client.post(
        _path(route, 0, "signature"),
        content=SIGNATURE_SVG,
        headers={**device, "Content-Type": "image/svg+xml"},
    )
    elsewhere = await app.client.post(
        _path(route, 1, "photo"), content=png(), headers={**device, "Content-Type": "image/png"}
    )
    refs = [r.json()["ref"] for r in (photo, signature, elsewhere)]
    complete = f"/v1/routes/{route.route_id}/stops/{route.stops[0].stop_id}:complete"

    async def deliver(photo_ref: str) -> object:
        proof = {"photo_ref": photo_ref, "signature_ref": refs[1], "recipient_name": "R. Ecipient"}
        body = {"outcome": "delivered", "proof": proof}
        return await app.client.post(complete, json=body, headers=device)

    for wrong, says in ((refs[2], "not an upload for this stop"), (refs[1], "not a photo")):
        refused = await deliver(wrong)
        assert refused.status_code == 422, refused.text  # type: ignore[attr-defined]
        assert refused.json()["errors"][0]["field"] == "body.proof.photo_ref"  # type: ignore[attr-defined]
        assert says in refused.json()["detail"]  # type: ignore[attr-defined]
    async with TopicReader(infra.kafka_bootstrap, DELIVERIES) as reader:
        done = await deliver(refs[0])
        assert done.status_code == 200, done.text  # type: ignore[attr-defined]
        [event] = await reader.wait_for(
            lambda e: e.tenant == tenant and e.type == "order.delivered"
        )
    proof = event.data.proof  # type: ignore[attr-defined]
    assert (proof.photo_ref, proof.signature_ref) == (refs[0], refs[1])
    token = event.data.tracking_token  # type: ignore[attr-defined]
    shown = await app.client.get(f"/track/{token}/photo")
    assert (shown.status_code, shown.content) == (200, png())
    assert (await app.client.get(f"/track/not-{token}/photo")).status_code == 404
    # Retention: past its expiry the proof's bytes and row are gone.
    await db.execute(
        "UPDATE proofs SET expires_at = now() - interval '1 second' WHERE tenant_id = $1", tenant
    )
    storage = app.state.proofs.storage
    key = await db.fetchval("SELECT storage_key FROM proofs WHERE proof_id = $1", refs[0][6:])
    assert (storage.root / key).exists()
    assert await app.state.proofs.expire(db, datetime.now(UTC)) >= 3
    assert not (storage.root / key).exists()
    assert (await app.client.get(f"/track/{token}/photo")).status_code == 404
    assert await db.fetchval("SELECT count(*) FROM proofs WHERE tenant_id = $1", tenant) == 0
