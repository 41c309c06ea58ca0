"""Control characters: 422 naming the field in JSON and query, 404 for an id in the path;
tab, newline and CR stay allowed in text. An id that cannot exist is 404."""

from __future__ import annotations

import json

import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.requests import NUL, assert_refused

from .conftest import new_tenant
from .test_orders_api import order_body

pytestmark = pytest.mark.integration


async def test_control_characters_are_refused_naming_the_field(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    body = order_body(recipient={"name": f"Ada{NUL}", "phone": "+4915112345678"})
    await assert_refused(
        app.client, "POST", "/v1/orders", json=body, headers=auth, status=422,
        field="body.recipient.name",
    )  # fmt: skip
    backspace = order_body(notes="ring\bthe bell")
    await assert_refused(
        app.client, "POST", "/v1/orders", json=backspace, headers=auth, status=422,
        field="body.notes",
    )  # fmt: skip
    await assert_refused(
        app.client, "GET", "/v1/orders", params={"depot_id": f"x{NUL}"}, headers=auth,
        status=422, field="query.depot_id",
    )  # fmt: skip
    for path in ("/v1/orders/not-a-uuid", "/v1/orders/%00", "/v1/orders/a%1Fb"):
        await assert_refused(app.client, "GET", path, headers=auth, status=404)
    await assert_refused(
        app.client, "POST", "/v1/orders/a%00b/cancel", json={}, headers=auth, status=404
    )
    text = order_body(notes="ring twice\n\tthen wait\r\n")
    allowed = await app.client.post("/v1/orders", json=text, headers=auth)
    assert allowed.status_code == 201, allowed.text


async def test_a_control_character_in_an_import_line_rejects_that_line(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    lines = [order_body(), order_body(address={**order_body()["address"], "city": f"B{NUL}"})]
    response = await app.client.post(
        "/v1/orders/import",
        content="\n".join(json.dumps(line) for line in lines) + "\n",
        headers={**auth, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["accepted"] == 1
    assert result["rejected"] == [
        {"line": 2, "field": "address.city", "message": "control characters are not allowed"}
    ]
