"""The notifier against the real broker and database, a local SMTP server and a fake Twilio."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from lastmile_common.api_keys import issue
from lastmile_common.events.base import EventData
from notifier.bootstrap import create_app
from notifier.settings import NotifierSettings
from notifier.testing.fake_twilio import FakeTwilio
from notifier.testing.smtp_capture import SmtpCapture

from lastmile.testing.apps import RunningApp, running_app
from lastmile.testing.inbox import Inbox, drain

PUBLIC = "http://notifier.test"
TOKEN = "dev-twilio-auth-token"


@dataclass
class Env:
    """The running notifier and its local providers."""

    app: RunningApp
    twilio: FakeTwilio
    smtp: SmtpCapture
    settings: NotifierSettings
    bootstrap: str

    @property
    def client(self) -> httpx.AsyncClient:
        """An HTTP client on the notifier app."""
        return self.app.client

    @property
    def inbox(self) -> Inbox:
        """The notifier consumer's inbox, to wait until it has processed an event."""
        return Inbox(self.settings.require_database_url(), "notifier", self.settings.consumer_group)

    async def settle(self, producer: Any, marker: EventData, *, key: str) -> None:
        """Wait until every event published on `key` so far has been processed: publish
        `marker` (from a tenant the notifier does not know, so it has no effect) on it and wait
        until the inbox holds it."""
        await drain(producer, self.inbox, marker, key=key, tenant=f"marker-{uuid.uuid4().hex}")


@pytest.fixture(scope="module")
async def env(infra: Any) -> AsyncIterator[Env]:
    twilio = await FakeTwilio(account_sid="ACtest", auth_token=TOKEN).start()
    smtp = SmtpCapture().start()
    settings = NotifierSettings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_group=f"notifier-it-{uuid.uuid4().hex[:8]}",
        require_tenant_settings=True,
        sms_provider="twilio",
        twilio_base_url=twilio.base_url,
        twilio_account_sid="ACtest",
        email_provider="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        public_base_url=PUBLIC,
        retry_backoff_initial_s=0.1,
        retry_backoff_max_s=0.3,
        dispatch_poll_interval_s=0.05,
    )
    async with running_app(create_app(settings), base_url=PUBLIC) as app:
        yield Env(app, twilio, smtp, settings, infra.kafka_bootstrap)
    await twilio.stop()
    smtp.stop()


async def _tenant(env: Env, **config: Any) -> tuple[str, dict[str, str]]:
    tenant = uuid.uuid4().hex
    headers = {
        "Authorization": f"Bearer {issue(env.settings.api_key_secret.get_secret_value(), tenant).raw}"
    }
    body = {"brand_name": "Acme", **config}
    response = await env.client.put("/v1/settings", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return tenant, headers


def _phone() -> str:
    return f"+49151{uuid.uuid4().int % 10**8:08d}"


async def _rows(env: Env, headers: dict[str, str], order_id: str) -> list[dict[str, Any]]:
    response = await env.client.get(
        "/v1/notifications", params={"order_id": order_id}, headers=headers
    )
    assert response.status_code == 200
    return list(response.json())


async def _at_least(count: int, pending: Awaitable[Any]) -> Any:
    """What `pending` gives once it holds `count` items, else None (a check for eventually())."""
    found = await pending
    return found if len(found) >= count else None
