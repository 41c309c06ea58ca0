"""Opt-outs, provider failures and the provider's signed status callbacks, through the real
pipeline."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lastmile_common.events.topics import NOTIFICATIONS
from notifier.domain.signing import twilio_signature
from notifier.testing import events as ev

from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import PUBLIC, TOKEN, Env, _at_least, _phone, _rows, _tenant

pytestmark = pytest.mark.integration


def _signed(url_path: str, form: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    return {
        "X-Twilio-Signature": twilio_signature(token, PUBLIC + url_path, form.items()),
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def test_opt_out_by_sms_stop_and_by_unsubscribe_link(env: Env, producer: Any) -> None:
    tenant, headers = await _tenant(env)
    phone, email = _phone(), f"opt{uuid.uuid4().hex[:6]}@example.com"
    inbound = {"From": phone, "To": "+15005550006", "Body": " stop "}
    bad = await env.client.post(
        "/v1/webhooks/sms/inbound",
        data=inbound,
        headers=_signed("/v1/webhooks/sms/inbound", inbound, "wrong"),
    )
    assert bad.status_code == 403
    good = await env.client.post(
        "/v1/webhooks/sms/inbound",
        data=inbound,
        headers=_signed("/v1/webhooks/sms/inbound", inbound),
    )
    assert good.status_code == 200
    assert "<Response>" in good.text

    first = f"o-{uuid.uuid4().hex[:8]}"
    await publish(
        producer, ev.order_created(first, phone=phone, email=email), tenant=tenant, key="d"
    )
    await eventually(lambda: len(env.smtp.to(email)) == 1)
    assert env.twilio.to(phone) == []
    rows = {r["channel"]: r for r in await _rows(env, headers, first)}
    assert rows["sms"]["state"] == "suppressed"
    assert rows["sms"]["to"].startswith("+49******")

    link = env.smtp.to(email)[0].message["List-Unsubscribe"].strip("<>")
    page = await env.client.get(link.removeprefix(PUBLIC))
    assert page.status_code == 200
    assert (await env.client.get("/unsubscribe/forged.token")).status_code == 404

    second = f"o-{uuid.uuid4().hex[:8]}"
    await publish(
        producer, ev.order_created(second, phone=phone, email=email), tenant=tenant, key="d"
    )
    rows2 = await eventually(lambda: _at_least(2, _rows(env, headers, second)), interval=0.1)
    assert {r["state"] for r in rows2} == {"suppressed"}
    assert len(env.smtp.to(email)) == 1


async def test_provider_500_then_success_sends_once(env: Env, producer: Any) -> None:
    tenant, headers = await _tenant(env)
    order, phone = f"o-{uuid.uuid4().hex[:8]}", _phone()
    env.twilio.fail_next.extend([500, 503])
    await publish(
        producer,
        ev.order_created(order, phone=phone, email=None, channels=("sms",)),
        tenant=tenant,
        key="d",
    )
    await eventually(lambda: any(r.status == 201 for r in env.twilio.to(phone)))

    async def recorded() -> bool:
        return [r["state"] for r in await _rows(env, headers, order)] == ["sent"]

    await eventually(recorded)  # once recorded as sent, the dispatcher never picks it again
    await env.settle(producer, ev.order_created("marker"), key="d")
    statuses = [r.status for r in env.twilio.to(phone)]
    assert statuses == [500, 503, 201]
    [row] = await _rows(env, headers, order)
    assert (row["state"], row["attempts"]) == ("sent", 3)


async def test_invalid_number_is_not_retried(env: Env, producer: Any) -> None:
    tenant, headers = await _tenant(env)
    order, phone = f"o-{uuid.uuid4().hex[:8]}", _phone()
    env.twilio.invalid_numbers.add(phone)
    async with TopicReader(env.bootstrap, NOTIFICATIONS) as reader:
        await publish(
            producer,
            ev.order_created(order, phone=phone, email=None, channels=("sms",)),
            tenant=tenant,
            key="d",
        )
        failed = await reader.wait_for(
            lambda e: e.type == "notification.failed" and e.data.order_id == order, timeout=20
        )
    assert "21211" in failed[0].data.reason
    await env.settle(producer, ev.order_created("marker"), key="d")
    assert [r.status for r in env.twilio.to(phone)] == [400]
    [row] = await _rows(env, headers, order)
    assert row["state"] == "failed"


async def test_status_callback_signature_is_checked(env: Env, producer: Any) -> None:
    tenant, headers = await _tenant(env)
    order, phone = f"o-{uuid.uuid4().hex[:8]}", _phone()
    await publish(
        producer,
        ev.order_created(order, phone=phone, email=None, channels=("sms",)),
        tenant=tenant,
        key="d",
    )
    await eventually(lambda: len(env.twilio.to(phone)) == 1)
    sid = env.twilio.to(phone)[0].sid
    assert sid is not None
    path = "/v1/webhooks/sms/status"
    form = {"MessageSid": sid, "MessageStatus": "delivered", "To": phone, "AccountSid": "ACtest"}
    forged = await env.client.post(
        path, data=form, headers=_signed(path, {**form, "MessageStatus": "failed"})
    )
    assert forged.status_code == 403
    missing = await env.client.post(path, data=form)
    assert missing.status_code == 403
    async with TopicReader(env.bootstrap, NOTIFICATIONS) as reader:
        good = await env.client.post(path, data=form, headers=_signed(path, form))
        assert good.status_code == 204
        delivered = await reader.wait_for(
            lambda e: e.type == "notification.delivered" and e.data.order_id == order, timeout=20
        )
    assert delivered
    [row] = await _rows(env, headers, order)
    assert row["state"] == "delivered"
