"""While the database is unreachable the notifier's API answers 503 with Retry-After, never
500; /readyz says 503 and 200 once the database is back."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from lastmile_common.api_keys import issue
from notifier.bootstrap import create_app
from notifier.settings import NotifierSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.outage import assert_unavailable_then_back, through_outage

pytestmark = pytest.mark.integration


async def test_a_database_outage_is_503_with_retry_after(infra: Infrastructure) -> None:
    secret = NotifierSettings().api_key_secret.get_secret_value()
    auth = {"Authorization": f"Bearer {issue(secret, uuid.uuid4().hex).raw}"}

    def make_app(url: str) -> FastAPI:
        settings = NotifierSettings(
            database_url=url,
            kafka_bootstrap_servers=infra.kafka_bootstrap,
            consumer_group=f"notifier-outage-{uuid.uuid4().hex[:8]}",
        )
        return create_app(settings)

    report = await through_outage(
        make_app,
        infra.database_url,
        [
            ("GET", "/v1/settings", {"headers": auth}),
            ("GET", "/v1/notifications", {"headers": auth}),
            ("PUT", "/v1/settings", {"headers": auth, "json": {"brand_name": "Acme"}}),
        ],
    )
    assert_unavailable_then_back(report)
