"""The customer's first message carries a tracking link that works: the order's derived token."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from lastmile_common.tracking_links import DEV_SECRET, order_of
from notifier.testing import events as ev

from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

from .conftest import Env, _phone, _tenant

pytestmark = pytest.mark.integration


async def test_the_confirmation_links_to_the_orders_own_token(env: Env, producer: Any) -> None:
    tenant, _ = await _tenant(env)
    order, phone, email = str(uuid.uuid4()), _phone(), f"t{uuid.uuid4().hex[:6]}@example.com"
    created = ev.order_created(order, phone=phone, email=email)
    await publish(producer, created, tenant=tenant, key="depot-1")
    await eventually(
        lambda: len(env.twilio.to(phone)) == 1 and len(env.smtp.to(email)) == 1, timeout=60
    )
    mail = env.smtp.to(email)[0].message.get_body(("plain",))
    assert mail is not None
    for text in (env.twilio.to(phone)[0].body, mail.get_content()):
        link = re.search(r"http://127\.0\.0\.1:8003/track/(\S*)", text)
        assert link is not None, text
        # Tracking resolves the token to this order with the secret both services share.
        assert order_of(DEV_SECRET, link.group(1).rstrip(".")) == order, text
