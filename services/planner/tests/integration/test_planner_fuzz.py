"""Fuzzing the planner API from its OpenAPI document: no 5xx, every answer as documented."""

from __future__ import annotations

import pytest
from lastmile_common.routing import Router

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fuzz import fuzz_service

from .conftest import new_tenant

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_planner_api_holds_under_fuzzing(infra: Infrastructure, road_router: Router) -> None:
    """`road_router` prepares the roads before the planner process starts (minutes the first
    time, more than its start may take)."""
    _, auth = new_tenant()
    settings = {"SOLVER_TIME_LIMIT_S": "1", "REPLAN_TIME_LIMIT_S": "1"}
    run = await fuzz_service("planner", infra, headers=auth, settings=settings)
    assert run.passed, run.report
