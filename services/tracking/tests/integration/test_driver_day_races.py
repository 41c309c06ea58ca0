"""Two 'break started' from the same vehicle at the same moment: one starts it, one is 409."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from lastmile.testing.apps import RunningApp

from .conftest import new_tenant

pytestmark = pytest.mark.integration


async def test_racing_break_starts_start_one_break(app: RunningApp) -> None:
    _, auth = new_tenant()
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    made = await app.client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
    device = {"Authorization": f"Bearer {made.json()['device_token']}"}
    for action in ("start", "end", "start", "end", "start"):
        answers = await asyncio.gather(
            *(
                app.client.post("/v1/device/break", json={"action": action}, headers=device)
                for _ in range(4)
            )
        )
        assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], action
