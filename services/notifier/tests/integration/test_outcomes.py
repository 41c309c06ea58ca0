"""Outcome messages through the real pipeline: for orders on the started route, never held back."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from lastmile_common.events.orders import OrderCancelled
from notifier.testing import events as ev

from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import Env, _phone, _rows, _tenant

pytestmark = pytest.mark.integration


async def test_an_order_cancelled_off_its_route_is_not_told_out_for_delivery(
    env: Env, producer: Any
) -> None:
    tenant, headers = await _tenant(env)
    kept, cancelled = f"o-{uuid.uuid4().hex[:8]}", f"o-{uuid.uuid4().hex[:8]}"
    route = f"r-{uuid.uuid4().hex[:6]}"
    phones = {kept: _phone(), cancelled: _phone()}
    for order, phone in phones.items():
        created = ev.order_created(order, phone=phone, email=None, channels=("sms",))
        await publish(producer, created, tenant=tenant, key="depot-1")
    await eventually(lambda: all(len(env.twilio.to(p)) == 1 for p in phones.values()), timeout=60)
    await publish(producer, ev.route_planned(route, [kept, cancelled]), tenant=tenant, key="d")
    gone = OrderCancelled(
        order_id=cancelled, external_id="x", depot_id="depot-1", version=2, cancelled_at=ev.now()
    )
    await publish(producer, gone, tenant=tenant, key="depot-1")
    # The re-plan drops the cancelled order: version 2 of the route, and the start, lack it.
    second = ev.route_planned(route, [kept]).model_copy(update={"version": 2})
    await publish(producer, second, tenant=tenant, key="d")
    # The plans and the cancellation land before the route starts (other topics).
    await env.settle(producer, ev.route_planned("marker", ["marker"]), key="d")
    await env.settle(producer, ev.order_created("marker"), key="depot-1")
    eta = ev.now() + timedelta(hours=1)
    await publish(
        producer, ev.route_started(route, [(kept, eta, "tok-k")]), tenant=tenant, key=route
    )
    await eventually(lambda: len(env.twilio.to(phones[kept])) == 2)
    assert "out for delivery" in env.twilio.to(phones[kept])[1].body
    # Both orders were decided in the same transaction as the kept one's message.
    kinds = {r["kind"] for r in await _rows(env, headers, cancelled)}
    assert kinds == {"confirmed"}
    assert len(env.twilio.to(phones[cancelled])) == 1


async def test_outcomes_are_sent_at_once_after_many_eta_changes(env: Env, producer: Any) -> None:
    tenant, _ = await _tenant(env)
    order, route, phone = f"o-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:6]}", _phone()
    sms = lambda: env.twilio.to(phone)  # noqa: E731
    await publish(
        producer,
        ev.order_created(order, phone=phone, email=None, channels=("sms",)),
        tenant=tenant,
        key="depot-1",
    )
    await eventually(lambda: len(sms()) == 1, timeout=60)
    start = ev.now()
    eta = start + timedelta(hours=4)
    await publish(
        producer, ev.route_started(route, [(order, eta, "tok-o")]), tenant=tenant, key=route
    )
    await eventually(lambda: len(sms()) == 2)
    # A day read faster than it happened: ETA changes 11 minutes apart by their own clock
    # (more than the 10-minute spacing), read within seconds. Twelve of them, each told.
    for k in range(1, 13):
        moved = ev.eta_updated(
            order, route, eta + timedelta(minutes=30 * (k % 2)), stops_away=9, sequence=k + 1
        ).model_copy(update={"computed_at": start + timedelta(minutes=11 * k)})
        await publish(producer, moved, tenant=tenant, key=order)
        await eventually(lambda k=k: len(sms()) == 2 + k)  # type: ignore[misc]
        assert "new arrival time" in sms()[-1].body
    near = ev.eta_updated(order, route, eta, stops_away=1, sequence=20).model_copy(
        update={"computed_at": start + timedelta(minutes=150)}
    )
    await publish(producer, near, tenant=tenant, key=order)
    await eventually(lambda: len(sms()) == 15)
    assert "1 stop(s) away" in sms()[-1].body
    await publish(producer, ev.delivered(order, route), tenant=tenant, key=order)
    await eventually(lambda: len(sms()) == 16)
    assert "delivered" in sms()[-1].body
