"""While the database is unreachable the planner's API answers 503 with Retry-After, never
500; /readyz says 503 and 200 once the database is back."""

from __future__ import annotations

import pytest
from planner.bootstrap import create_app

from lastmile.infra.platform import Infrastructure
from lastmile.testing.outage import assert_unavailable_then_back, through_outage

from .conftest import depot_body, new_tenant, planner_settings

pytestmark = pytest.mark.integration


async def test_a_database_outage_is_503_with_retry_after(infra: Infrastructure) -> None:
    _, auth = new_tenant()
    report = await through_outage(
        lambda url: create_app(planner_settings(infra, database_url=url)),
        infra.database_url,
        [
            ("GET", "/v1/depots", {"headers": auth}),
            ("POST", "/v1/depots", {"headers": auth, "json": depot_body("outage")}),
            ("GET", "/v1/routes/r1", {"headers": auth}),
        ],
    )
    assert_unavailable_then_back(report)
