"""kill -9 of the planner in the middle of a plan: the orders it had, and those acknowledged while
it was down, are all planned after the restart, and the killed plan published nothing."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
from lastmile_common.api_keys import issue
from lastmile_common.events.topics import ROUTES

from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.faults import FAST_RECOVERY, running_services
from lastmile.testing.fixtures import TopicReader
from lastmile.testing.processes import service_process, wait_ready
from lastmile.testing.waiting import eventually

from .conftest import SECRET, order_body, orders_tenant

DEPOT = "vaduz"
DAY = "2030-05-06"
BEFORE, WHILE_DOWN = 20, 10


def _fleet() -> list[tuple[str, dict[str, Any]]]:
    depot = {
        "id": DEPOT,
        "name": "Vaduz",
        "location": {"lat": 47.1410, "lon": 9.5215},
        "time_zone": "Europe/Vaduz",
        "opening_hours": {"start": "06:00", "end": "21:00"},
        "loading_time_min": 10,
    }
    vans = [
        {
            "id": f"van-{n}",
            "name": f"van-{n}",
            "kind": "van",
            "capacity": {"weight_kg": 800, "volume_m3": 6, "parcels": 100},
            "cost_per_km": 0.4,
            "cost_per_hour": 20,
            "shift": {"start": "07:00", "end": "19:00"},
        }
        for n in (1, 2)
    ]
    return [("/v1/depots", depot)] + [(f"/v1/depots/{DEPOT}/vehicles", van) for van in vans]


async def _post_orders(url: str, auth: dict[str, str], count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=url, timeout=15) as client:
        ids = []
        for _ in range(count):
            response = await client.post("/v1/orders", json=order_body(), headers=auth)
            assert response.status_code == 201, response.text
            ids.append(response.json()["order_id"])
    return ids


async def _pending(client: httpx.AsyncClient, planner: dict[str, str], count: int) -> None:
    async def known() -> bool:
        response = await client.get(
            f"/v1/depots/{DEPOT}/unassigned", params={"service_date": DAY}, headers=planner
        )
        return response.status_code == 200 and len(response.json()["not_planned_yet"]) == count

    await eventually(known, timeout=40, interval=0.2, what=f"the planner knows {count} orders")


async def _routes_events(infra: Infrastructure, tenant: str, count: int) -> list[Any]:
    """The tenant's routes.v1 events, once `count` arrived (and a moment more for late ones)."""
    async with TopicReader(infra.kafka_bootstrap, ROUTES) as reader:
        events = await reader.wait_for(lambda e: e.tenant == tenant, count=count, timeout=30)
        events += await reader.wait_for(lambda e: e.tenant == tenant, count=10**6, timeout=2)
    return events


# size: one scenario (orders, plan, kill -9, more orders, restart, plan, counts) top to bottom
async def test_planner_killed_mid_plan_loses_no_order_and_publishes_once(
    own_infra: Infrastructure,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {**FAST_RECOVERY, "SOLVER_TIME_LIMIT_S": "2"}
    async with running_services(own_infra, ["orders"]) as urls:
        tenant, auth = await orders_tenant(own_infra.database_url)
        planner = {"Authorization": f"Bearer {issue(SECRET, tenant).raw}"}
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            with service_process("planner", own_infra, port, settings=settings) as process:
                await wait_ready(process, port)
                for path, body in _fleet():
                    response = await client.post(path, json=body, headers=planner)
                    assert response.status_code == 201, response.text
                ordered = await _post_orders(urls["orders"], auth, BEFORE)
                await _pending(client, planner, BEFORE)
                request = {"depot_id": DEPOT, "service_date": DAY, "time_limit_s": 20}
                plan = asyncio.create_task(client.post("/v1/plans", json=request, headers=planner))
                await asyncio.sleep(1.5)  # solving: the plan's time limit is 20 s
                process.kill()
                process.wait()
            assert isinstance((await asyncio.gather(plan, return_exceptions=True))[0], Exception)
            ordered += await _post_orders(urls["orders"], auth, WHILE_DOWN)
            with service_process("planner", own_infra, port, settings=settings) as process:
                await wait_ready(process, port)
                await _pending(client, planner, BEFORE + WHILE_DOWN)
                again = {**request, "time_limit_s": 2}
                response = await client.post("/v1/plans", json=again, headers=planner)
                assert response.status_code == 200, response.text
                result = response.json()
                # read while the planner runs: its relay publishes the plan after the answer
                events = await _routes_events(own_infra, tenant, 1 + len(result["route_ids"]))
    planned = Counter(s["order_id"] for r in result["routes"] for s in r["stops"])
    planned.update(u["order_id"] for u in result["unassigned"])
    assert set(planned) == set(ordered), "an acknowledged order is missing from the plan"
    assert max(planned.values()) == 1, "an order is planned twice"
    unique = {e.id: e for e in events}.values()  # the relay may publish an event again, same id
    completed = [e for e in unique if e.type == "plan.completed"]
    assert len(completed) == 1, "the killed plan published, or the plan published twice"
    stops = [s for e in unique if e.type == "route.planned" for s in e.data.stops]  # type: ignore[attr-defined]
    routed = Counter(s.order_id for s in stops)
    assert routed == Counter(s["order_id"] for r in result["routes"] for s in r["stops"])
