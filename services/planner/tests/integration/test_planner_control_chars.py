"""Control characters: 422 naming the field in JSON and query, 404 for an id in the path.
An id that cannot exist is 404."""

from __future__ import annotations

import pytest

from lastmile.testing.apps import RunningApp
from lastmile.testing.requests import NUL, assert_refused

from .conftest import depot_body, new_tenant, van_body

pytestmark = pytest.mark.integration


async def test_control_characters_are_refused_naming_the_field(
    app: RunningApp,
) -> None:
    _, auth = new_tenant()
    client = app.client
    depot = {**depot_body("d1"), "name": f"Mitte{NUL}"}
    await assert_refused(
        client, "POST", "/v1/depots", json=depot, headers=auth, status=422, field="body.name"
    )
    await assert_refused(
        client, "POST", "/v1/depots", json=depot_body(f"d{NUL}"), headers=auth, status=422,
        field="body.id",
    )  # fmt: skip
    assert (await client.post("/v1/depots", json=depot_body("d1"), headers=auth)).status_code == 201
    van = van_body("v1", name=f"Van{NUL}")
    await assert_refused(
        client, "POST", "/v1/depots/d1/vehicles", json=van, headers=auth, status=422,
        field="body.name",
    )  # fmt: skip
    await assert_refused(
        client, "GET", "/v1/depots/d1/unassigned", params={"service_date": f"2026{NUL}"},
        headers=auth, status=422, field="query.service_date",
    )  # fmt: skip
    for path in ("/v1/depots/%00", "/v1/vehicles/a%00", "/v1/plans/%00", "/v1/routes/%00"):
        await assert_refused(client, "GET", path, headers=auth, status=404)
    for path in ("/v1/plans/not-a-uuid", "/v1/routes/not-a-uuid", "/v1/depots/none"):
        await assert_refused(client, "GET", path, headers=auth, status=404)
    await assert_refused(client, "DELETE", "/v1/depots/%00", headers=auth, status=404)
