"""The tracking app running in-process on the real broker and database, also on a real port."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from lastmile_common.api_keys import issue
from lastmile_common.routing import RoutingSettings
from tracking.bootstrap import create_app
from tracking.settings import TrackingSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp, running_app
from lastmile.testing.roads import TEST_CACHE

SECRET = "dev-api-key-secret-change-me"


# Per module, not per session: a tracking app left running joins the tracking consumer groups
# of every later test, and takes routes.v1 partitions from the app that test starts.
@pytest.fixture(scope="module")
async def app(
    infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningApp]:
    """The tracking app with its consumers, relay and ping writer running, also on a real port
    (for a browser)."""
    settings = TrackingSettings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_backoff_initial_s=0.05,
        consumer_max_attempts=3,
        ping_flush_interval_s=0.1,
        outbox_poll_interval_s=0.05,
        proof_dir=str(tmp_path_factory.mktemp("proofs")),
        proof_photo_max_bytes=64 * 1024,
    )
    roads = RoutingSettings(cache_dir=TEST_CACHE)
    async with running_app(
        create_app(settings, roads), base_url="http://tracking", serve=True
    ) as app:
        yield app


def new_tenant() -> tuple[str, dict[str, str]]:
    """A fresh tenant id and headers with its API key."""
    tenant = uuid.uuid4().hex
    return tenant, {"Authorization": f"Bearer {issue(SECRET, tenant).raw}"}
