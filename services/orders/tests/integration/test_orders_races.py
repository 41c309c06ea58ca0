"""Concurrent changes of one order: each sees the other's result, none is lost."""

from __future__ import annotations

import asyncio

import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp

from .conftest import new_tenant
from .test_orders_api import order_body

pytestmark = pytest.mark.integration

WINDOWS = {"windows": [{"start": "2026-11-24T14:00:00Z", "end": "2026-11-24T16:00:00Z"}]}


async def test_a_cancel_racing_a_window_change_is_never_undone(
    infra: Infrastructure, app: RunningApp
) -> None:
    """Both read version 1 and wrote version 2 before: the window change could put a cancelled
    order back to `created`, and two different events carried the same version."""
    _, auth = await new_tenant(infra)
    client = app.client
    for _ in range(10):
        created = await client.post("/v1/orders", json=order_body(), headers=auth)
        order_id = created.json()["order_id"]
        cancel, change = await asyncio.gather(
            client.post(f"/v1/orders/{order_id}/cancel", json={"reason": "race"}, headers=auth),
            client.put(f"/v1/orders/{order_id}/windows", json=WINDOWS, headers=auth),
        )
        assert cancel.status_code == 200, cancel.text
        assert change.status_code in (200, 409), change.text
        order = (await client.get(f"/v1/orders/{order_id}", headers=auth)).json()
        assert order["status"] == "cancelled"
        # Each accepted change is its own version: 1 + cancel (+ the window change).
        assert order["version"] == (3 if change.status_code == 200 else 2)
