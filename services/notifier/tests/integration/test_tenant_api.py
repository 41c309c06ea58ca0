"""The tenant API over HTTP: templates stored, listed, previewed, refused and removed; the sink."""

from __future__ import annotations

import pytest

from .conftest import Env, _tenant

pytestmark = pytest.mark.integration

TEMPLATE = "/v1/templates/out_for_delivery/sms"


async def test_templates_round_trip_and_preview_uses_the_stored_one(env: Env) -> None:
    _, headers = await _tenant(env)
    stored = {"text": "{{ brand }}: bald da, {{ name }}"}
    put = await env.app.client.put(TEMPLATE, params={"locale": "de"}, json=stored, headers=headers)
    assert put.status_code == 204
    [listed] = (await env.app.client.get("/v1/templates", headers=headers)).json()
    assert (listed["kind"], listed["channel"], listed["locale"]) == (
        "out_for_delivery",
        "sms",
        "de",
    )
    body = {"kind": "out_for_delivery", "channel": "sms", "locale": "de-AT"}
    shown = (await env.app.client.post("/v1/templates/preview", json=body, headers=headers)).json()
    assert shown["origin"] == "tenant:de" and shown["text"] == "Acme: bald da, Jane"
    assert (shown["encoding"], shown["segments"]) == ("GSM-7", 1)
    email = {**body, "channel": "email", "template": {"text": "Hi {{ name }}", "subject": "S"}}
    mailed = (
        await env.app.client.post("/v1/templates/preview", json=email, headers=headers)
    ).json()
    assert mailed["origin"] == "request" and mailed["segments"] is None
    assert (
        await env.app.client.delete(TEMPLATE, params={"locale": "de"}, headers=headers)
    ).status_code == 204
    again = await env.app.client.delete(TEMPLATE, params={"locale": "de"}, headers=headers)
    assert again.status_code == 404
    fallback = (
        await env.app.client.post("/v1/templates/preview", json=body, headers=headers)
    ).json()
    assert fallback["origin"] == "builtin:de"


async def test_invalid_templates_are_refused_naming_the_part(env: Env) -> None:
    _, headers = await _tenant(env)
    broken = await env.app.client.put(TEMPLATE, json={"text": "{{ name"}, headers=headers)
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["field"] == "body.text"
    unknown = {"kind": "arriving", "channel": "sms", "template": {"text": "{{ nope }}"}}
    refused = await env.app.client.post("/v1/templates/preview", json=unknown, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.template.text"
    assert (await env.app.client.get("/v1/templates", headers=headers)).json() == []


async def test_the_sink_page_lists_messages(env: Env) -> None:
    page = await env.app.client.get("/sink")
    assert page.status_code == 200 and "Messages sent to the local sink" in page.text
