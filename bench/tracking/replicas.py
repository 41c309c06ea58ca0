"""`--replicas N`: N tracking processes in one consumer group drain a pre-loaded ping topic;
pings/s of the group and pings per CPU-second of its processes."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from lastmile_common.events.topics import GPS_PINGS, TOPICS
from lastmile_common.routing import Router

from bench.tracking import workload
from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.processes import service_process, wait_ready
from lastmile.testing.waiting import eventually

log = logging.getLogger(__name__)
GROUP = "tracking-pings"
PARTITIONS = next(spec.partitions for spec in TOPICS if spec.name == GPS_PINGS)
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def _lag(infra: Infrastructure) -> int:
    """Pings on gps.pings.v1 the tracking group has not committed yet (read with the group's
    id, never joining it)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=infra.kafka_bootstrap, group_id=GROUP, enable_auto_commit=False
    )
    await consumer.start()
    try:
        parts = [TopicPartition(GPS_PINGS, p) for p in range(PARTITIONS)]
        ends = await consumer.end_offsets(parts)
        lag = 0
        for tp in parts:
            lag += ends[tp] - (await consumer.committed(tp) or 0)
        return lag
    finally:
        await consumer.stop()


async def routes_saved(infra: Infrastructure, tenant: str, count: int) -> None:
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "tracking"})

    async def saved() -> bool:
        n = await conn.fetchval("SELECT count(*) FROM routes WHERE tenant_id = $1", tenant)
        return bool(n >= count)

    try:
        await eventually(saved, timeout=300, interval=0.2, what="the routes followed")
    finally:
        await conn.close()


async def _drained(infra: Infrastructure) -> bool:
    lag = await _lag(infra)
    log.debug("lag %d", lag)
    return lag <= 0  # the local broker reports end offsets short by one past a batch


# size: start the group, load, time the drain: one scenario read top to bottom
async def throughput_replicas(
    infra: Infrastructure,
    router: Router,
    replicas: int,
    vehicles: int,
    per_vehicle: int,
    batch: int,
    poll_records: int,
) -> dict[str, Any]:
    """Start the group first (so no rebalance falls in the timed region), then publish routes,
    then the pings, and time until the group has committed every ping."""
    tenant = workload.new_tenant()
    start = workload.hours_ago(3)
    routes = workload.on_roads(workload.fleet(tenant, vehicles, start), router)
    fixes = workload.traces(routes, start, per_vehicle, 1.0)
    records = workload.ping_records(tenant, fixes, batch)
    total = sum(len(trace) for trace in fixes.values())
    settings = {"CONSUMER_MAX_POLL_RECORDS": str(poll_records), "LOG_LEVEL": "WARNING"}
    with ExitStack() as stack:
        ports = [free_port() for _ in range(replicas)]
        processes = [
            stack.enter_context(service_process("tracking", infra, port, settings=settings))
            for port in ports
        ]
        await asyncio.gather(
            *(wait_ready(p, port) for p, port in zip(processes, ports, strict=True))
        )
        await asyncio.sleep(10)  # the group settles (joins of the later members)
        producer = await workload.producer(infra.kafka_bootstrap)
        try:
            await workload.publish_routes(producer, tenant, routes)
            await routes_saved(infra, tenant, len(routes))
            log.info("routes followed")
            cpu0 = [_cpu_s(p.pid) for p in processes]
            began = time.perf_counter()
            await workload.send_all(producer, workload.PINGS_TOPIC, records)
            sent = time.perf_counter() - began
        finally:
            await producer.stop()
        await eventually(lambda: _drained(infra), timeout=900, interval=0.1, what="drained")
        wall = time.perf_counter() - began
        cpu = [_cpu_s(p.pid) - c for p, c in zip(processes, cpu0, strict=True)]
    return {
        "phase": "replicas",
        "replicas": replicas,
        "event": "ping" if batch == 1 else f"ping.batch x{batch}",
        "pings": total,
        "seconds": round(wall, 2),
        "publish_seconds": round(sent, 2),
        "pings_per_s": round(total / wall),
        "cpu_cores_per_replica": [round(c / wall, 2) for c in cpu],
        "pings_per_cpu_s": round(total / sum(cpu)),
    }
