"""Faults: a paused broker loses no accepted order; kill -9 mid-load loses none and duplicates none."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.faults import created_events
from lastmile.testing.processes import service_process, wait_ready

from .conftest import new_tenant
from .test_orders_api import order_body

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@contextmanager
def orders_process(infra: Infrastructure, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m orders` as its own process, as in production; killed (-9) on exit."""
    with service_process(
        "orders", infra, port, settings={"KAFKA_REQUEST_TIMEOUT_MS": "5000"}
    ) as process:
        yield process


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
        per_order = await created_events(infra.kafka_bootstrap, tenant, len(accepted))
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
        per_order = await created_events(infra.kafka_bootstrap, tenant, len(acknowledged))
    missing = set(acknowledged) - set(per_order)
    assert not missing, f"{len(missing)} acknowledged orders never published"
    assert all(len(ids) == 1 for ids in per_order.values()), "an order has two distinct events"
    stored = set(per_order)
    assert set(acknowledged) <= stored
