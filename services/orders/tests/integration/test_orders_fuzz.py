"""Fuzzing the orders API from its OpenAPI document (no 5xx, every answer as documented), and
the defects the fuzzer found, one regression test each."""

from __future__ import annotations

import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fuzz import fuzz_service

from .conftest import new_tenant

pytestmark = pytest.mark.integration
HEADER = "external_id,depot_id,recipient_name,line1,city,country,lat,lon,window_start,window_end,weight_kg"


@pytest.mark.slow
async def test_orders_api_holds_under_fuzzing(infra: Infrastructure) -> None:
    _, auth = await new_tenant(infra, "fuzz")
    run = await fuzz_service("orders", infra, headers=auth)
    assert run.passed, run.report


async def test_a_carriage_return_inside_a_csv_field_rejects_the_line(
    infra: Infrastructure, app: RunningApp
) -> None:
    _, auth = await new_tenant(infra)
    headers = {**auth, "Content-Type": "text/csv"}
    body = f"{HEADER}\nC-1,d1,A\rda,Torstr 1,Berlin,DE,52.5,13.4,2026-11-24T09:00:00Z,x,2\n"
    response = await app.client.post("/v1/orders/import", content=body, headers=headers)
    assert response.status_code == 200, response.text
    [rejected] = response.json()["rejected"]
    assert (rejected["line"], rejected["field"]) == (2, "row")
    header = await app.client.post("/v1/orders/import", content="a\rb,c\n", headers=headers)
    assert header.status_code == 422, header.text
    assert header.headers["content-type"] == "application/problem+json"
