"""PostgreSQL stopped with `pg_ctl -m immediate` and restarted, and the broker SIGSTOPped, under
a stream of orders, with all four services running as processes: every acknowledged order is
published once and reaches the planner, nothing answers 500, and every /readyz says 503 during
the outage and 200 after."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from lastmile.infra.platform import Infrastructure
from lastmile.infra.postgres import start_postgres
from lastmile.testing.faults import (
    OrderLoad,
    created_events,
    readiness,
    running_services,
    wait_readiness,
)
from lastmile.testing.waiting import eventually

from .conftest import order_body, orders_tenant

SERVICES = ("orders", "planner", "tracking", "notifier")
OUTAGE_S = 8.0


async def _through(
    infra: Infrastructure,
    break_it: Callable[[], Awaitable[None]],
    mend_it: Callable[[], Awaitable[None]],
    log_dir: Path,
) -> OrderLoad:
    """Load the platform, break a dependency for OUTAGE_S, mend it; check readiness and return
    the load once every service is ready again."""
    async with running_services(infra, SERVICES, log_dir=log_dir) as urls:
        tenant, auth = await orders_tenant(infra.database_url)
        load = OrderLoad(urls["orders"], auth, order_body)
        load.start()
        await asyncio.sleep(2)
        await break_it()
        broken = time.monotonic()
        try:
            took = await wait_readiness(urls, 503, timeout=OUTAGE_S)
            print(f"every /readyz 503 {took:.2f} s into the outage")
            await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - broken)))
            assert set((await readiness(urls)).values()) == {503}
        finally:
            await mend_it()
        back = await wait_readiness(urls, 200, timeout=30)
        print(f"every /readyz 200 {back:.2f} s after the dependency returned")
        await asyncio.sleep(2)
        await load.stop()
        print(f"answers: {dict(load.statuses)}")
        await _nothing_lost_nor_twice(infra, tenant, load)
    return load


async def _nothing_lost_nor_twice(infra: Infrastructure, tenant: str, load: OrderLoad) -> None:
    assert load.acknowledged, "no order was acknowledged"
    assert set(load.statuses) <= {201, 503}, f"an answer other than 201 or 503: {load.statuses}"
    per_order = await created_events(infra.kafka_bootstrap, tenant, len(load.acknowledged))
    missing = set(load.acknowledged) - set(per_order)
    assert not missing, f"{len(missing)} acknowledged orders never published"
    assert all(len(ids) == 1 for ids in per_order.values()), "an order was created twice"

    async def planner_has_them() -> bool:
        conn = await asyncpg.connect(infra.database_url)
        try:
            rows = await conn.fetch(
                "SELECT order_id FROM planner.pending_orders WHERE tenant_id = $1", tenant
            )
        finally:
            await conn.close()
        return {r["order_id"] for r in rows} == set(per_order)

    await eventually(planner_has_them, timeout=30, what="the planner received every order")


async def test_postgres_immediate_stop_and_restart(
    own_infra: Infrastructure, tmp_path: Path
) -> None:
    server = own_infra.postgres
    assert server is not None

    async def crash() -> None:
        await asyncio.to_thread(server.stop, "immediate")

    async def restart() -> None:
        await asyncio.to_thread(start_postgres, server.data_dir, server.port)

    load = await _through(own_infra, crash, restart, tmp_path)
    assert load.statuses[503] > 0, "no request met the outage"


async def test_broker_paused_under_load(own_infra: Infrastructure, tmp_path: Path) -> None:
    broker = own_infra.broker
    assert broker is not None

    async def pause() -> None:
        os.kill(broker.process.pid, signal.SIGSTOP)

    async def resume() -> None:
        os.kill(broker.process.pid, signal.SIGCONT)

    load = await _through(own_infra, pause, resume, tmp_path)
    # The outbox takes orders while the broker is away: none is refused for it.
    assert load.statuses[503] == 0
