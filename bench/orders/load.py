"""One measured run: N orders over HTTP at a fixed concurrency, or N events on the inbound topic."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.orders import OrderSubmitted

from bench.orders import rawhttp
from bench.orders.collector import CreatedCollector
from bench.orders.cpu import CpuMeter
from bench.orders.stats import percentile

DRAIN_TIMEOUT_S = 60.0


def order_body() -> dict[str, Any]:
    """A valid order with a unique external id (the shape the API tests use)."""
    return {
        "external_id": f"B-{uuid.uuid4().hex[:12]}",
        "depot_id": "berlin-mitte",
        "recipient": {"name": "Ada", "phone": "+4915112345678", "email": "ada@example.com"},
        "address": {
            "line1": "Kirchstrasse 1",
            "city": "Vaduz",
            "postal_code": "9490",
            "country": "LI",
            "location": {"lat": 47.1367, "lon": 9.5188},
        },
        "windows": [{"start": "2026-11-24T09:00:00+01:00", "end": "2026-11-24T12:00:00+01:00"}],
        "items": [{"sku": "A", "quantity": 2, "weight_kg": 1.25, "volume_m3": 0.002}],
    }


# size: the timed region, its workers and the figures read best as one piece
async def http_run(
    port: int,
    api_key: str,
    tenant: str,
    collector: CreatedCollector,
    cpu: CpuMeter,
    *,
    concurrency: int,
    orders: int,
) -> dict[str, float]:
    """POST `orders` orders over `concurrency` keep-alive connections; time until all are on
    orders.v1. Requests are encoded before the clock starts."""
    auth = {"Authorization": f"Bearer {api_key}"}
    requests = iter(
        [
            rawhttp.post_request("/v1/orders", auth, json.dumps(order_body()).encode())
            for _ in range(orders)
        ]
    )
    acked: dict[str, float] = {}
    latencies: list[float] = []
    errors = 0

    async def worker(connection: rawhttp.Connection) -> None:
        nonlocal errors
        for request in requests:  # one shared iterator: workers take the next order when free
            sent = time.perf_counter()
            try:
                status, location = await connection.send(request)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                return
            done = time.perf_counter()
            if status != 201 or location is None:
                errors += 1
                continue
            latencies.append(done - sent)
            acked[location.rsplit("/", 1)[1]] = done

    connections = [await rawhttp.Connection.open("127.0.0.1", port) for _ in range(concurrency)]
    try:
        cpu.start()
        start = time.perf_counter()
        await asyncio.gather(*(worker(connection) for connection in connections))
        sent_s = time.perf_counter() - start
    finally:
        for connection in connections:
            await connection.close()
    drained = await collector.wait(tenant, len(acked), DRAIN_TIMEOUT_S)
    arrivals = collector.arrivals[tenant]
    end = max(arrivals.values(), default=start)
    wall = end - start
    lags = [arrivals[order] - at for order, at in acked.items() if order in arrivals]
    return {
        "concurrency": concurrency,
        "orders": orders,
        "errors": errors,
        "published": len(arrivals),
        "drained": float(drained),
        "orders_per_s": len(arrivals) / wall if wall > 0 else 0.0,
        "http_per_s": len(latencies) / sent_s,
        "p50_ms": 1000 * percentile(latencies, 50),
        "p90_ms": 1000 * percentile(latencies, 90),
        "p99_ms": 1000 * percentile(latencies, 99),
        "lag_p50_ms": 1000 * percentile(lags, 50),
        "lag_p99_ms": 1000 * percentile(lags, 99),
        **per_order_cpu(cpu.stop(wall), wall, len(arrivals)),
    }


def per_order_cpu(shares: dict[str, float], wall: float, orders: int) -> dict[str, float]:
    """Add CPU milliseconds per order: robust to other users of the cores, unlike orders/s."""
    ours = ("cpu_service_pct", "cpu_postgres_pct", "cpu_broker_pct")
    per_order = 1000 * wall / 100 / max(orders, 1)
    return {
        **shares,
        "svc_ms_per_order": shares["cpu_service_pct"] * per_order,
        "stack_ms_per_order": sum(shares[name] for name in ours) * per_order,
    }


async def intake_run(
    bootstrap: str, tenant: str, collector: CreatedCollector, cpu: CpuMeter, *, orders: int
) -> dict[str, float]:
    """Publish `orders` order.submitted events; time until all order.created are on orders.v1."""
    records = []
    for _ in range(orders):  # encoded before the clock starts
        spec = OrderSubmitted.model_validate(order_body())
        envelope = Envelope.wrap(spec, source="/lastmile/bench", tenant=tenant)
        records.append((envelope.topic, encode(envelope, f"{tenant}:{spec.external_id}")))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        cpu.start()
        start = time.perf_counter()
        futures = [
            await producer.send(topic, value=r.value, key=r.key, headers=r.headers)
            for topic, r in records
        ]
        await asyncio.gather(*futures)
        published_s = time.perf_counter() - start
    finally:
        await producer.stop()
    drained = await collector.wait(tenant, orders, DRAIN_TIMEOUT_S)
    arrivals = collector.arrivals[tenant]
    wall = max(arrivals.values(), default=start) - start
    return {
        "orders": orders,
        "published": len(arrivals),
        "drained": float(drained),
        "publish_s": published_s,
        "orders_per_s": len(arrivals) / wall if wall > 0 else 0.0,
        **per_order_cpu(cpu.stop(wall), wall, len(arrivals)),
    }
