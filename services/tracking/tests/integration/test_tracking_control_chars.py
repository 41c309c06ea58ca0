"""Control characters: 422 naming the field in JSON and query, 404 for an id or token in the
path. A token or id that cannot exist is 404."""

from __future__ import annotations

import pytest

from lastmile.testing.apps import RunningApp
from lastmile.testing.requests import NUL, assert_refused

from .conftest import new_tenant

pytestmark = pytest.mark.integration


async def test_control_characters_are_refused_naming_the_field(app: RunningApp) -> None:
    _, auth = new_tenant()
    client = app.client
    await assert_refused(
        client, "POST", "/v1/devices", json={"vehicle_id": f"van{NUL}"}, headers=auth,
        status=422, field="body.vehicle_id",
    )  # fmt: skip
    await assert_refused(
        client, "POST", "/v1/devices", json={"vehicle_id": "van-1", "label": "\x1b[31m"},
        headers=auth, status=422, field="body.label",
    )  # fmt: skip
    for path in ("/track/%00", "/track/%00.json", "/track/not-a-token.json"):
        await assert_refused(client, "GET", path, status=404)
    await assert_refused(
        client, "POST", "/v1/routes/%00/stops/s1:complete", json={}, headers=auth, status=404
    )
