"""ETA messages through the real pipeline: measured from what was told, rare, and final."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from notifier.testing import events as ev

from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import Env, _phone, _rows, _tenant

pytestmark = pytest.mark.integration


async def test_eta_changes_are_told_against_the_last_told_eta_and_stop_after_arriving(
    env: Env, producer: Any
) -> None:
    tenant, headers = await _tenant(env)
    order, route, phone = f"o-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:6]}", _phone()
    sms = lambda: env.twilio.to(phone)  # noqa: E731
    created = ev.order_created(order, phone=phone, email=None, channels=("sms",))
    await publish(producer, created, tenant=tenant, key="depot-1")
    await eventually(lambda: len(sms()) == 1, timeout=60)
    eta = ev.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    started = ev.route_started(route, [(order, eta, "tok-e")])
    await publish(producer, started, tenant=tenant, key=route)
    await eventually(lambda: len(sms()) == 2)

    async def eta_event(sequence: int, minutes: int, stops: int = 9) -> None:
        moved = ev.eta_updated(
            order, route, eta + timedelta(minutes=minutes), stops_away=stops, sequence=sequence
        )
        await publish(producer, moved, tenant=tenant, key=order)

    # +10 then +20: each step is below the 15-minute threshold, but +20 is far from what the
    # out-for-delivery message told, so it is told (once).
    await eta_event(2, 10)
    await eta_event(3, 20)
    await eventually(lambda: len(sms()) == 3)
    assert "new arrival time" in sms()[2].body
    # Moments later it moved again by 40 minutes: within the 10-minute interval, not told.
    await eta_event(4, 60)
    await eta_event(5, 30, stops=1)  # arriving soon
    await eventually(lambda: len(sms()) == 4)
    assert "1 stop(s) away" in sms()[3].body
    # The stop was re-sequenced after "arriving": no "ETA changed" any more.
    await eta_event(6, 120, stops=6)
    await publish(producer, ev.delivered(order, route), tenant=tenant, key=order)
    await eventually(lambda: len(sms()) == 5)
    assert "delivered" in sms()[4].body
    await eta_event(7, 130, stops=6)
    await env.settle(
        producer, ev.eta_updated("marker", "marker", ev.now(), stops_away=1, sequence=1), key=order
    )
    assert len(sms()) == 5
    rows = await _rows(env, headers, order)
    assert not [r for r in rows if r["kind"] == "eta_changed" and r["version"] >= 6]
