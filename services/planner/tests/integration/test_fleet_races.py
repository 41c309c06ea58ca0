"""Concurrent fleet writes of the same depot or vehicle: a 404 or 409 problem, never a 500."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from lastmile.testing.apps import RunningApp

from .conftest import depot_body, new_tenant, van_body

pytestmark = pytest.mark.integration

ROUNDS = 15


def _problem(resp: httpx.Response, *allowed: int) -> None:
    assert resp.status_code in allowed, resp.text
    if resp.status_code >= 400:
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_vehicle_writes_racing_a_depot_delete_answer_404_not_500(app: RunningApp) -> None:
    """A vehicle added or replaced while its depot is being deleted: done before the delete (the
    delete then takes it along) or 404 after it, never a foreign-key violation or deadlock."""
    _, headers = new_tenant()
    client = app.client
    for n in range(ROUNDS):
        depot = f"race-{n}"
        assert (await client.post("/v1/depots", json=depot_body(depot), headers=headers)).is_success
        path = f"/v1/depots/{depot}/vehicles"
        assert (await client.post(path, json=van_body(f"v{n}"), headers=headers)).is_success
        spec = {k: v for k, v in van_body(f"v{n}").items() if k != "id"}
        deleted, replaced, added = await asyncio.gather(
            client.delete(f"/v1/depots/{depot}", headers=headers),
            client.put(f"/v1/vehicles/v{n}", json=spec, headers=headers),
            client.post(path, json=van_body(f"w{n}"), headers=headers),
        )
        _problem(deleted, 204)
        _problem(replaced, 200, 404)
        _problem(added, 201, 404)
        assert (await client.get(path, headers=headers)).status_code == 404
        for vehicle in (f"v{n}", f"w{n}"):  # nothing outlives its depot
            assert (await client.get(f"/v1/vehicles/{vehicle}", headers=headers)).status_code == 404


async def test_the_same_depot_or_vehicle_created_twice_at_once_is_one_201_and_one_409(
    app: RunningApp,
) -> None:
    _, headers = new_tenant()
    client = app.client
    for n in range(ROUNDS):
        depot = f"twice-{n}"
        first, second = await asyncio.gather(
            client.post("/v1/depots", json=depot_body(depot), headers=headers),
            client.post("/v1/depots", json=depot_body(depot), headers=headers),
        )
        assert sorted([first.status_code, second.status_code]) == [201, 409], first.text
        path = f"/v1/depots/{depot}/vehicles"
        first, second = await asyncio.gather(
            client.post(path, json=van_body(f"v{n}"), headers=headers),
            client.post(path, json=van_body(f"v{n}"), headers=headers),
        )
        assert sorted([first.status_code, second.status_code]) == [201, 409], first.text


async def test_a_replace_racing_a_delete_never_brings_the_deleted_back(app: RunningApp) -> None:
    _, headers = new_tenant()
    client = app.client
    for n in range(ROUNDS):
        depot = f"back-{n}"
        assert (await client.post("/v1/depots", json=depot_body(depot), headers=headers)).is_success
        spec = {k: v for k, v in depot_body(depot).items() if k != "id"}
        deleted, replaced = await asyncio.gather(
            client.delete(f"/v1/depots/{depot}", headers=headers),
            client.put(f"/v1/depots/{depot}", json=spec, headers=headers),
        )
        _problem(deleted, 204)
        _problem(replaced, 200, 404)
        assert (await client.get(f"/v1/depots/{depot}", headers=headers)).status_code == 404
