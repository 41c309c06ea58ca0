"""Fuzzing the notifier API from its OpenAPI document: no 5xx, every answer as documented."""

from __future__ import annotations

import uuid

import pytest
from lastmile_common.api_keys import issue

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fuzz import fuzz_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SECRET = "dev-api-key-secret-change-me"


async def test_notifier_api_holds_under_fuzzing(infra: Infrastructure) -> None:
    auth = {"Authorization": f"Bearer {issue(SECRET, uuid.uuid4().hex).raw}"}
    run = await fuzz_service("notifier", infra, headers=auth)
    assert run.passed, run.report
