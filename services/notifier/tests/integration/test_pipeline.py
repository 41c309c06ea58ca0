"""The notifier against the real broker and database, a local SMTP server and a fake Twilio."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest
from lastmile_common.events.topics import NOTIFICATIONS
from lastmile_common.tracking_links import DEV_SECRET, link_token
from notifier.testing import events as ev

from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import PUBLIC, Env, _at_least, _phone, _rows, _tenant

pytestmark = pytest.mark.integration


# size: one order's whole day of messages, in order
async def test_each_trigger_sends_the_right_text_once(
    env: Env, producer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tenant, headers = await _tenant(env)
    order, route, phone, email = (
        f"o-{uuid.uuid4().hex[:8]}",
        f"r-{uuid.uuid4().hex[:6]}",
        _phone(),
        f"jo{uuid.uuid4().hex[:6]}@example.com",
    )
    sms = lambda: env.twilio.to(phone)  # noqa: E731
    mails = lambda: env.smtp.to(email)  # noqa: E731

    created = await publish(
        producer, ev.order_created(order, phone=phone, email=email), tenant=tenant, key="depot-1"
    )
    # The first wait also covers the new consumer group reading the topics from the start.
    await eventually(lambda: len(sms()) == 1 and len(mails()) == 1, timeout=60)
    assert "Acme: we have your order" in sms()[0].body
    assert (
        sms()[0].form["From"]
        and sms()[0].form["StatusCallback"] == f"{PUBLIC}/v1/webhooks/sms/status"
    )
    mail = mails()[0].message
    assert mail["Subject"].startswith("Acme:")
    assert {part.get_content_type() for part in mail.walk()} >= {"text/plain", "text/html"}
    assert "/unsubscribe/" in mail["List-Unsubscribe"]

    planned = await publish(
        producer, ev.route_planned(route, [order]), tenant=tenant, key="depot-1"
    )
    eta = ev.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    await env.inbox.wait_for(planned.id)  # the plan (depot time zone) before the route starts
    await publish(
        producer, ev.route_started(route, [(order, eta, "tok-abc")]), tenant=tenant, key=route
    )
    await eventually(lambda: len(sms()) == 2)
    local = (eta - timedelta(minutes=30)).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Berlin")
    )
    assert f"arriving {local:%H:%M}" in sms()[1].body
    assert f"http://127.0.0.1:8003/track/{link_token(DEV_SECRET, order)}" in sms()[1].body

    # A 5-minute move is below the 15-minute threshold: nothing; 40 minutes is a change.
    small = ev.eta_updated(order, route, eta + timedelta(minutes=5), stops_away=9, sequence=2)
    await publish(producer, small, tenant=tenant, key=order)
    await publish(
        producer,
        ev.eta_updated(order, route, eta + timedelta(minutes=40), stops_away=8, sequence=3),
        tenant=tenant,
        key=order,
    )
    await eventually(lambda: len(sms()) == 3)
    assert "new arrival time" in sms()[2].body

    await publish(
        producer,
        ev.eta_updated(order, route, ev.now() + timedelta(minutes=9), stops_away=1, sequence=4),
        tenant=tenant,
        key=order,
    )
    await eventually(lambda: len(sms()) == 4)
    assert "1 stop(s) away" in sms()[3].body

    done = await publish(producer, ev.delivered(order, route), tenant=tenant, key=order)
    await eventually(lambda: len(sms()) == 5 and len(mails()) == 5)
    assert "delivered" in sms()[4].body
    assert "received by Jane, photo taken" in sms()[4].body

    # Redelivery (same event id) and a repeated event (new id, same facts) send nothing more,
    # and write no notification either.
    told = _told(await _rows(env, headers, order))
    for envelope in (created, done):
        await _republish(producer, envelope)
    await publish(producer, ev.delivered(order, route), tenant=tenant, key=order)
    await env.settle(producer, ev.order_created("marker"), key="depot-1")
    await env.settle(producer, ev.delivered("marker", "marker"), key=order)
    assert _told(await _rows(env, headers, order)) == told
    assert len(told) == 10
    assert len(sms()) == 5
    assert len(mails()) == 5

    async with TopicReader(env.bootstrap, NOTIFICATIONS) as reader:
        sent = await reader.wait_for(
            lambda e: e.type == "notification.sent" and e.data.order_id == order,
            count=10,
            timeout=20,
        )
    assert len(sent) == 10
    assert {e.data.kind for e in sent} == {
        "confirmed",
        "out_for_delivery",
        "eta_changed",
        "arriving",
        "delivered",
    }
    assert phone not in caplog.text
    assert email not in caplog.text


def _told(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """Which notifications exist: kind, channel and version of each row."""
    return sorted((r["kind"], r["channel"], r["version"]) for r in rows)


async def _republish(producer: Any, envelope: Any) -> None:
    from lastmile_common.events.envelope import encode

    record = encode(envelope, envelope.data.order_id)
    await producer.send_and_wait(
        envelope.topic, value=record.value, key=record.key, headers=record.headers
    )


async def test_failed_delivery_tells_what_happens_next(env: Env, producer: Any) -> None:
    tenant, _ = await _tenant(env)
    order, phone = f"o-{uuid.uuid4().hex[:8]}", _phone()
    await publish(
        producer,
        ev.order_created(order, phone=phone, email=None, channels=("sms",), locale="de"),
        tenant=tenant,
        key="d",
    )
    await eventually(lambda: len(env.twilio.to(phone)) == 1)
    assert "Wir haben Ihre Bestellung" in env.twilio.to(phone)[0].body
    await publish(
        producer, ev.delivery_failed(order, "r1", token="tok-f"), tenant=tenant, key=order
    )
    await eventually(lambda: len(env.twilio.to(phone)) == 2)
    body = env.twilio.to(phone)[1].body
    assert "nobody home" in body
    assert "We will try again tomorrow." in body
    assert f"/track/{link_token(DEV_SECRET, order)}" in body


async def test_quiet_hours_defer_and_drop_what_would_be_stale(env: Env, producer: Any) -> None:
    start = ev.now() - timedelta(hours=1)
    end = ev.now() + timedelta(hours=2)
    quiet = {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
    tenant, headers = await _tenant(env, quiet_hours=quiet)
    order, phone = f"o-{uuid.uuid4().hex[:8]}", _phone()
    created = ev.order_created(order, phone=phone, email=None, channels=("sms",))
    await publish(producer, created, tenant=tenant, key="d")

    async def states() -> dict[str, tuple[str, str]]:
        return {r["kind"]: (r["state"], r["reason"]) for r in await _rows(env, headers, order)}

    await eventually(states, interval=0.1)
    # The window ends 50 minutes from now, long before quiet hours do: never sent late.
    started = ev.route_started("rq", [(order, ev.now() + timedelta(minutes=20), "tq")])
    await publish(producer, started, tenant=tenant, key="rq")
    found = await eventually(lambda: _at_least(2, states()), interval=0.1)
    assert found["confirmed"] == ("pending", "deferred for quiet hours")
    assert found["out_for_delivery"] == ("dropped", "quiet hours outlast it")

    # A changed ETA whose window outlasts the quiet hours waits; a newer one supersedes it.
    for sequence, hours in ((2, 3), (3, 4)):
        moved = ev.eta_updated(
            order, "rq", ev.now() + timedelta(hours=hours), stops_away=9, sequence=sequence
        )
        await publish(producer, moved, tenant=tenant, key=order)

        async def told(version: int = sequence) -> list[dict[str, Any]] | None:
            rows = await _rows(env, headers, order)
            seen = any(r["kind"] == "eta_changed" and r["version"] == version for r in rows)
            return rows if seen else None

        rows = await eventually(told, interval=0.1)
    etas = {r["version"]: (r["state"], r["reason"]) for r in rows if r["kind"] == "eta_changed"}
    assert etas == {
        2: ("dropped", "superseded by eta_changed"),
        3: ("pending", "deferred for quiet hours"),
    }
    await env.settle(
        producer, ev.eta_updated("marker", "marker", ev.now(), stops_away=1, sequence=1), key=order
    )
    assert env.twilio.to(phone) == []
    assert {r["state"] for r in await _rows(env, headers, order)} == {"pending", "dropped"}
