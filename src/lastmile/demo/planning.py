"""Planning at the cut-off, re-planning for late orders, and the notifier's tenant settings."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

import httpx

from lastmile.console.state import DayState
from lastmile.demo.clock import SimClock
from lastmile.demo.day import DemoDay
from lastmile.demo.places import TIME_ZONE
from lastmile.demo.platform import check, retrying_unavailable


async def configure_notifier(notifier: httpx.AsyncClient) -> None:
    """Brand and time zone for the demo tenant; no quiet hours (the day is replayed at night)."""
    check(
        await notifier.put(
            "/v1/settings",
            json={"brand_name": "Kiezkiste", "default_time_zone": TIME_ZONE,
                  "recipient_hourly_limit": 100},
        )
    )  # fmt: skip


def _plan_body(depot_id: str, day: DemoDay, time_limit_s: float | None) -> dict[str, Any]:
    body: dict[str, Any] = {"depot_id": depot_id, "service_date": day.service_date.isoformat()}
    if time_limit_s is not None:
        body["time_limit_s"] = time_limit_s
    return body


async def _wait(predicate: Any, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.2)


async def plan(
    planner: httpx.AsyncClient,
    depot_id: str,
    day: DemoDay,
    state: DayState,
    time_limit_s: float | None = None,
) -> None:
    """Plan the depot's day (what the cut-off does) and wait for its routes on routes.v1."""
    expected = sum(1 for o in state.orders.values() if o.status == "open")

    async def planner_has_them() -> bool:
        # The planner learns orders from orders.v1: plan once it has them all, as a cut-off would.
        waiting = check(
            await planner.get(
                f"/v1/depots/{depot_id}/unassigned",
                params={"service_date": day.service_date.isoformat()},
            )
        )
        return len(waiting["not_planned_yet"]) >= expected  # fmt: skip

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while not await planner_has_them():
        if loop.time() > deadline:
            raise TimeoutError("the planner did not receive every order within 120 s")
        await asyncio.sleep(0.3)
    before = len(state.plans)
    body = _plan_body(depot_id, day, time_limit_s)
    check(await retrying_unavailable(lambda: planner.post("/v1/plans", json=body)))
    await _wait(lambda: len(state.plans) > before, 300, "plan.completed")
    route_ids = state.plans[-1]["route_ids"]
    await _wait(
        lambda: all(r in state.routes for r in route_ids), 60, "route.planned of every route"
    )


async def replan(
    planner: httpx.AsyncClient, depot_id: str, day: DemoDay, state: DayState, order_ids: list[str]
) -> None:
    """Wait for the planner's own re-plan (new orders for a planned day trigger it)."""
    del planner, depot_id, day  # a POST /v1/plans would supersede routes already on the road

    def placed() -> bool:
        return all(
            o in state.orders and state.orders[o].status in ("planned", "unassigned")
            for o in order_ids
        )

    # If they never show up the day goes on; the figures will show them as open.
    with contextlib.suppress(TimeoutError):
        await _wait(placed, 120, "the late orders in a route.updated or plan.completed")


def clock_for(day: DemoDay, route_starts: list[datetime], speed: float) -> SimClock:
    """A simulated clock starting shortly before the first route leaves."""
    first = min(route_starts) if route_starts else day.at(7.5)
    return SimClock(first - timedelta(minutes=10), speed)
