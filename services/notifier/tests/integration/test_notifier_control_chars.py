"""Control characters: 422 naming the field in JSON and query, 404 for an id or token in the
path. A token that cannot exist is 404."""

from __future__ import annotations

import pytest

from lastmile.testing.requests import NUL, assert_refused

from .conftest import Env, _tenant

pytestmark = pytest.mark.integration


async def test_control_characters_are_refused_naming_the_field(env: Env) -> None:
    _, auth = await _tenant(env)
    client = env.app.client
    await assert_refused(
        client, "PUT", "/v1/settings", json={"brand_name": f"Acme{NUL}"}, headers=auth,
        status=422, field="body.brand_name",
    )  # fmt: skip
    await assert_refused(
        client, "GET", "/v1/notifications", params={"order_id": f"o{NUL}"}, headers=auth,
        status=422, field="query.order_id",
    )  # fmt: skip
    template = {"text": f"Hello{NUL}"}
    await assert_refused(
        client, "PUT", "/v1/templates/confirmation/sms", json=template, headers=auth,
        status=422, field="body.text",
    )  # fmt: skip
    await assert_refused(
        client, "PUT", "/v1/templates/confirmation/%00", json={"text": "Hi"}, headers=auth,
        status=404,
    )  # fmt: skip
    for path in ("/unsubscribe/%00", "/unsubscribe/not-a-token"):
        await assert_refused(client, "GET", path, status=404)
