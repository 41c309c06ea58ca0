"""Fleet and depot CRUD: validation names the field, tenants do not see each other."""

from __future__ import annotations

import pytest

from lastmile.testing.apps import RunningApp

from .conftest import depot_body, new_tenant, van_body

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shift": {"start": "17:00", "end": "08:00"}}, "body.shift.end"),
        ({"capacity": {"weight_kg": -5}}, "body.capacity.weight_kg"),
        ({"kind": "ev"}, "body.battery_range_km"),
        ({"kind": "partner"}, "body.carrier_id"),
        ({"kind": "drone", "speed_kmh": 60}, "body.max_radius_km"),
    ],
)
async def test_an_invalid_vehicle_is_a_422_naming_the_field(
    app: RunningApp, change: dict[str, object], field: str
) -> None:
    _, headers = new_tenant()
    depot = "d-422"
    await app.client.post("/v1/depots", json=depot_body(depot), headers=headers)
    resp = await app.client.post(
        f"/v1/depots/{depot}/vehicles", json=van_body("v", **change), headers=headers
    )
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in resp.json()["errors"]]


async def test_depot_and_vehicle_crud(app: RunningApp) -> None:
    _, headers = new_tenant()
    bad = await app.client.post(
        "/v1/depots", json={**depot_body("x"), "time_zone": "Mars/Olympus"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.time_zone"
    created = await app.client.post("/v1/depots", json=depot_body("hub"), headers=headers)
    assert created.status_code == 201
    again = await app.client.post("/v1/depots", json=depot_body("hub"), headers=headers)
    assert again.status_code == 409
    bike = van_body("bike-1", kind="cargo_bike", speed_kmh=18, capacity={"weight_kg": 120})
    assert (
        await app.client.post("/v1/depots/hub/vehicles", json=bike, headers=headers)
    ).status_code == 201
    listed = await app.client.get("/v1/depots/hub/vehicles", headers=headers)
    assert [v["id"] for v in listed.json()] == ["bike-1"]
    changed = {k: v for k, v in bike.items() if k != "id"} | {"name": "Bike One"}
    put = await app.client.put("/v1/vehicles/bike-1", json=changed, headers=headers)
    assert put.status_code == 200 and put.json()["name"] == "Bike One"
    _, other = new_tenant()
    assert (await app.client.get("/v1/vehicles/bike-1", headers=other)).status_code == 404
    assert (await app.client.get("/v1/depots/hub", headers=other)).status_code == 404
    assert (await app.client.delete("/v1/vehicles/bike-1", headers=headers)).status_code == 204
    assert (await app.client.delete("/v1/depots/hub", headers=headers)).status_code == 204
    assert (await app.client.get("/v1/depots/hub", headers=headers)).status_code == 404
    assert (await app.client.get("/v1/depots", headers={})).status_code == 401
