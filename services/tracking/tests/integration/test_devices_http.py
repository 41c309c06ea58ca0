"""Devices: issued with a sign-in link and QR code, listed without tokens, revoked (401 after)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from lastmile.testing.apps import RunningApp

from .conftest import new_tenant

pytestmark = pytest.mark.integration


async def test_issue_list_revoke(app: RunningApp) -> None:
    _, auth = new_tenant()
    _, other = new_tenant()
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    made = await app.client.post(
        "/v1/devices", json={"vehicle_id": vehicle, "label": "Pixel"}, headers=auth
    )
    assert made.status_code == 201, made.text
    device = made.json()
    token = device["device_token"]
    assert device["sign_in_url"] == f"http://tracking/driver/#token={token}"
    assert device["sign_in_qr_svg"].startswith("<svg") and "<path" in device["sign_in_qr_svg"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await app.client.get("/v1/device/route", headers=bearer)).status_code == 200

    listed = (await app.client.get("/v1/devices", headers=auth)).json()
    assert [(d["device_id"], d["label"], d["revoked_at"]) for d in listed] == [
        (device["device_id"], "Pixel", None)
    ]
    assert "device_token" not in listed[0]
    assert (await app.client.get("/v1/devices", headers=other)).json() == []

    path = f"/v1/devices/{device['device_id']}"
    assert (await app.client.delete(path, headers=other)).status_code == 404
    assert (await app.client.get("/v1/device/route", headers=bearer)).status_code == 200
    assert (await app.client.delete(path, headers=auth)).status_code == 204
    assert (await app.client.get("/v1/device/route", headers=bearer)).status_code == 401
    assert (await app.client.delete(path, headers=auth)).status_code == 204  # idempotent
    [revoked] = (await app.client.get("/v1/devices", headers=auth)).json()
    assert datetime.fromisoformat(revoked["revoked_at"]) <= datetime.now(UTC)
    assert (await app.client.delete("/v1/devices/nope", headers=auth)).status_code == 404
