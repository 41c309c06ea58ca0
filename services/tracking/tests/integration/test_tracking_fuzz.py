"""Fuzzing the tracking API from its OpenAPI document: no 5xx, every answer as documented.

Pings are sent with a device token, everything else with the tenant's API key. The dispatcher
stream never ends, so it is left to its own tests."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fuzz import fuzz, serving

from .conftest import new_tenant

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_tracking_api_holds_under_fuzzing(infra: Infrastructure) -> None:
    _, auth = new_tenant()
    async with serving("tracking", infra) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            body = {"vehicle_id": "van-1", "label": "fuzz"}
            device = await client.post("/v1/devices", json=body, headers=auth)
        assert device.status_code == 201, device.text
        by_device = {"Authorization": f"Bearer {device.json()['device_token']}"}
        with_key = asyncio.to_thread(
            fuzz,
            base_url,
            headers=auth,
            exclude_paths=["/v1/pings", "/v1/device/route", "/v1/stream"],
        )
        with_device = asyncio.to_thread(
            fuzz,
            base_url,
            headers=by_device,
            include_paths=["/v1/pings", "/v1/device/route", "/v1/device/basemap"],
        )
        runs = [await with_key, await with_device]
    assert all(run.passed for run in runs), "\n".join(run.report for run in runs)
