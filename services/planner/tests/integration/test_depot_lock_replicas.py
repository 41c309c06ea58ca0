"""Two planner replicas never plan one depot at once (the lock is PostgreSQL's, not a process's)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from lastmile_common.db.pool import create_pool
from planner.entrypoints.deps import PlannerContext

from lastmile.infra.platform import Infrastructure

pytestmark = pytest.mark.integration


def _replica(pool: Any) -> PlannerContext:
    return PlannerContext(None, None, None, None, pool=pool)  # type: ignore[arg-type]


async def test_a_depot_planned_on_one_replica_waits_on_the_other(infra: Infrastructure) -> None:
    pools = [await create_pool(infra.database_url, "planner", min_size=1) for _ in range(2)]
    first, second = (_replica(pool) for pool in pools)
    tenant, depot = f"t-{uuid.uuid4().hex[:8]}", "hub"
    order: list[str] = []
    try:
        async with first.depot_lock(tenant, depot):
            order.append("first plans")

            async def plan_on_second() -> None:
                async with second.depot_lock(tenant, depot):
                    order.append("second plans")

            waiting = asyncio.create_task(plan_on_second())
            await asyncio.sleep(1.0)
            assert not waiting.done(), "the second replica planned the depot at the same time"
            async with second.depot_lock(tenant, "another-depot"):
                order.append("another depot plans")  # other depots are not held up
            order.append("first done")
        await asyncio.wait_for(waiting, 10)
        assert order == ["first plans", "another depot plans", "first done", "second plans"]
    finally:
        for pool in pools:
            await pool.close()
