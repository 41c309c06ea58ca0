"""Faults: a paused broker loses no accepted order; kill -9 mid-load loses none and duplicates none."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest
from lastmile_common.events.orders import OrderCancelled
from lastmile_common.events.topics import ORDERS

from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.fixtures import TopicReader
from lastmile.testing.processes import service_process, wait_ready

from .conftest import new_tenant
from .test_orders_api import order_body

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEPOT = order_body()["depot_id"]  # every order's key: their events share one partition


def marker() -> OrderCancelled:
    """An event on the orders topic that no test counts, to read the partition through."""
    return OrderCancelled(
        order_id="marker", external_id="marker", depot_id=DEPOT, version=1,
        cancelled_at=datetime.now(UTC),
    )  # fmt: skip


@contextmanager
def orders_process(infra: Infrastructure, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m orders` as its own process, as in production; killed (-9) on exit."""
    with service_process(
        "orders", infra, port, settings={"KAFKA_REQUEST_TIMEOUT_MS": "5000"}
    ) as process:
        yield process


async def created_events(
    infra: Infrastructure, tenant: str, expected: int, timeout: float = 60
) -> dict[str, set[str]]:
    """Distinct order.created event ids per order of a tenant, once `expected` orders are seen."""
    per_order: dict[str, set[str]] = defaultdict(set)
    async with TopicReader(infra.kafka_bootstrap, ORDERS) as reader:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(per_order) < expected and loop.time() < deadline:
            for event in await reader.wait_for(
                lambda e: e.tenant == tenant and e.type == "order.created", count=10**6, timeout=1.0
            ):
                per_order[event.subject or ""].add(event.id)
        # The outbox sends in order, so a late duplicate comes before a marker sent after.
        await reader.read_through(marker(), key=DEPOT)
        for event, _ in reader.records:
            if event is not None and event.tenant == tenant and event.type == "order.created":
                per_order[event.subject or ""].add(event.id)
    return per_order


async def test_orders_accepted_while_the_broker_is_paused_are_published_after(
    infra: Infrastructure,
) -> None:
    if infra.broker is None:
        pytest.skip("needs the embedded broker to pause it")
    tenant, auth = await new_tenant(infra)
    port = free_port()
    with orders_process(infra, port) as process:
        await wait_ready(process, port)
        broker_pid = infra.broker.process.pid
        os.kill(broker_pid, signal.SIGSTOP)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                accepted = []
                for _ in range(20):
                    response = await client.post("/v1/orders", json=order_body(), headers=auth)
                    assert response.status_code == 201
                    accepted.append(response.json()["order_id"])
            await asyncio.sleep(3)
        finally:
            os.kill(broker_pid, signal.SIGCONT)
        per_order = await created_events(infra, tenant, len(accepted))
    assert set(per_order) == set(accepted)
    assert all(len(ids) == 1 for ids in per_order.values())


async def test_kill_9_during_load_loses_and_duplicates_nothing(infra: Infrastructure) -> None:
    tenant, auth = await new_tenant(infra)
    port = free_port()
    acknowledged: list[str] = []
    with orders_process(infra, port) as process:
        await wait_ready(process, port)

        async def submit(client: httpx.AsyncClient) -> None:
            while True:
                try:
                    response = await client.post("/v1/orders", json=order_body(), headers=auth)
                except httpx.HTTPError:
                    return
                if response.status_code == 201:
                    acknowledged.append(response.json()["order_id"])

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            workers = [asyncio.create_task(submit(client)) for _ in range(8)]
            while len(acknowledged) < 150:
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            await asyncio.gather(*workers)
    assert len(acknowledged) >= 150
    with orders_process(infra, port) as process:
        await wait_ready(process, port)
        per_order = await created_events(infra, tenant, len(acknowledged))
    missing = set(acknowledged) - set(per_order)
    assert not missing, f"{len(missing)} acknowledged orders never published"
    assert all(len(ids) == 1 for ids in per_order.values()), "an order has two distinct events"
    stored = set(per_order)
    assert set(acknowledged) <= stored
