"""The one-round-trip confirmation falls back to the stored order when its guess was wrong."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from lastmile_common.tracking_links import DEV_SECRET, link_token
from notifier.testing import events as ev

from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import Env, _phone, _tenant

pytestmark = pytest.mark.integration


async def test_confirmation_after_a_tracking_token_known_before_the_order(
    env: Env, producer: Any
) -> None:
    tenant, _ = await _tenant(env)
    order, route, phone = f"o-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:6]}", _phone()
    # The route started (with the tracking token) before the notifier saw the order itself.
    started = ev.route_started(route, [(order, ev.now() + timedelta(hours=1), "tok-early")])
    await publish(producer, started, tenant=tenant, key=route)
    conn = await asyncpg.connect(env.settings.require_database_url())
    try:
        for _ in range(400):
            token = await conn.fetchval(
                "SELECT tracking_token FROM notifier.orders WHERE tenant_id = $1 AND order_id = $2",
                tenant,
                order,
            )
            if token:
                break
            await asyncio.sleep(0.05)
        assert token == "tok-early"
        created = ev.order_created(order, phone=phone, email=None, channels=("sms",))
        await publish(producer, created, tenant=tenant, key="depot-1")
        await eventually(lambda: len(env.twilio.to(phone)) == 1)
        await env.settle(producer, ev.order_created("marker"), key="depot-1")
        kinds = await conn.fetch(
            "SELECT kind FROM notifier.notifications WHERE tenant_id = $1 AND order_id = $2",
            tenant,
            order,
        )
    finally:
        await conn.close()
    # The link is the order's derived token (tracking's own), whatever token came first.
    assert f"/track/{link_token(DEV_SECRET, order)}" in env.twilio.to(phone)[0].body
    assert [r["kind"] for r in kinds] == ["confirmed"]
