"""While the database is unreachable tracking's API answers 503 with Retry-After, never 500;
/readyz says 503 and 200 once the database is back."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from tracking.bootstrap import create_app
from tracking.settings import TrackingSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.outage import assert_unavailable_then_back, through_outage

from .conftest import new_tenant

pytestmark = pytest.mark.integration


async def test_a_database_outage_is_503_with_retry_after(infra: Infrastructure) -> None:
    _, auth = new_tenant()

    def make_app(url: str) -> FastAPI:
        settings = TrackingSettings(
            database_url=url,
            kafka_bootstrap_servers=infra.kafka_bootstrap,
            consumer_backoff_initial_s=0.05,
            ping_flush_interval_s=0.1,
        )
        return create_app(settings)

    report = await through_outage(
        make_app,
        infra.database_url,
        [
            ("GET", "/v1/eta-accuracy", {"headers": auth}),
            ("POST", "/v1/devices", {"headers": auth, "json": {"vehicle_id": "van-1"}}),
            ("GET", "/track/some-token.json", {}),
        ],
    )
    assert_unavailable_then_back(report)
