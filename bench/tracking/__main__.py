"""`python -m bench.tracking`: pings/s from gps.pings.v1 to state and events, and ping →
eta.updated latency at a fixed rate, on embedded (or configured) Kafka and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from lastmile_common.events.envelope import decode
from lastmile_common.events.topics import ETAS
from tracking.bootstrap import create_app
from tracking.settings import TrackingSettings

from bench.tracking import workload
from bench.tracking.load import run_load
from lastmile.infra.platform import Infrastructure, start_infrastructure

ROOT = Path(__file__).resolve().parents[2]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _until(done: Callable[[], bool], timeout_s: float) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if done():
            return
        await asyncio.sleep(0.01)


def _settings(infra: Infrastructure, poll_records: int) -> TrackingSettings:
    return TrackingSettings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_max_poll_records=poll_records,
        log_level="WARNING",
    )


async def _producer(infra: Infrastructure) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap,
        linger_ms=20,
        acks="all",
        max_batch_size=1024 * 1024,
    )
    await producer.start()
    return producer


async def throughput(
    infra: Infrastructure, vehicles: int, per_vehicle: int, batch: int, poll_records: int
) -> dict[str, Any]:
    """Pre-load the topic, then time the service draining it (state, storage and events)."""
    tenant = workload.new_tenant()
    start = workload.hours_ago(3)
    routes = workload.fleet(tenant, vehicles, start)
    fixes = workload.traces(routes, start, per_vehicle, 1.0)
    records = workload.ping_records(tenant, fixes, batch)
    total = sum(len(trace) for trace in fixes.values())
    producer = await _producer(infra)
    try:
        await workload.publish_routes(producer, tenant, routes)
        await workload.send_all(producer, workload.PINGS_TOPIC, records)
    finally:
        await producer.stop()
    app = create_app(_settings(infra, poll_records))
    async with app.router.lifespan_context(app):
        tracker = app.state.tracker
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 600
        await _until(lambda: len(tracker.state.routes) >= len(routes), 600)
        base = sum(tracker.verdicts.values())
        first = cpu0 = None
        while sum(tracker.verdicts.values()) - base < total and loop.time() < deadline:
            if first is None and sum(tracker.verdicts.values()) > base:
                first, cpu0 = time.perf_counter(), _cpu()
            await asyncio.sleep(0.005)
        done, cpu1 = time.perf_counter(), _cpu()
        processed = sum(tracker.verdicts.values()) - base
        verdicts = {k.value: v for k, v in tracker.verdicts.items() if v}
        await app.state.ping_writer.flush()
        outbox = await app.state.runtime.pool.fetchval("SELECT count(*) FROM outbox")
    assert first is not None and cpu0 is not None
    wall = done - first
    return {
        "phase": "throughput",
        "event": "ping" if batch == 1 else f"ping.batch x{batch}",
        "pings": processed,
        "seconds": round(wall, 2),
        "pings_per_s": round(processed / wall),
        "cpu_cores": round((cpu1 - cpu0) / wall, 2),
        "outbox_events_total": outbox,
        "verdicts": verdicts,
    }


# size: the timed region, its workers and the figures read best as one piece
async def latency(
    infra: Infrastructure,
    vehicles: int,
    rate: float,
    seconds: float,
    poll_records: int,
    prepare_s: float = 25.0,
) -> dict[str, Any]:
    """Live pings at `rate` from another process; ping time → eta.updated received."""
    tenant = workload.new_tenant()
    start = datetime.now(UTC).replace(microsecond=0)
    routes = workload.fleet(tenant, vehicles, start)
    depots = {r.vehicle_id: (r.depot_location.lat, r.depot_location.lon) for r in routes}
    producer = await _producer(infra)
    try:
        await workload.publish_routes(producer, tenant, routes)
    finally:
        await producer.stop()
    app = create_app(_settings(infra, poll_records))
    lat_ms: list[float] = []
    async with app.router.lifespan_context(app):
        tracker = app.state.tracker
        await _until(lambda: len(tracker.state.routes) >= len(routes), 600)
        consumer = AIOKafkaConsumer(
            ETAS,
            bootstrap_servers=infra.kafka_bootstrap,
            group_id=f"bench-{tenant}",
            auto_offset_reset="latest",
        )
        await consumer.start()
        # The generator encodes every ping first (its own process), then sends on schedule.
        begin_at = datetime.now(UTC) + timedelta(seconds=prepare_s)
        proc = multiprocessing.get_context("spawn").Process(
            target=run_load, args=(infra.kafka_bootstrap, tenant, depots, rate, seconds, begin_at)
        )
        proc.start()
        await asyncio.sleep(max(0.0, (begin_at - datetime.now(UTC)).total_seconds()))
        base = sum(tracker.verdicts.values())
        cpu0, wall0 = _cpu(), time.perf_counter()
        end = asyncio.get_running_loop().time() + seconds + 5
        while asyncio.get_running_loop().time() < end:
            batches = await consumer.getmany(timeout_ms=100)
            now = datetime.now(UTC)
            for records in batches.values():
                for record in records:
                    envelope = decode(record.headers or [], record.value)
                    if envelope.tenant == tenant:
                        computed = envelope.data.computed_at  # type: ignore[attr-defined]
                        lat_ms.append((now - computed).total_seconds() * 1000)
        proc.join()
        cpu = (_cpu() - cpu0) / (time.perf_counter() - wall0)
        processed = sum(tracker.verdicts.values()) - base
        await consumer.stop()
    lat_ms.sort()

    def pct(p: float) -> float:
        return round(lat_ms[min(len(lat_ms) - 1, int(p * len(lat_ms)))], 1) if lat_ms else -1.0

    return {
        "phase": "latency",
        "rate_pings_per_s": rate,
        "seconds": seconds,
        "pings": processed,
        "eta_updates": len(lat_ms),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(lat_ms[-1], 1) if lat_ms else -1.0,
        "cpu_cores_service_process": round(cpu, 2),
    }


def main() -> None:
    """Run the phases and print one JSON line each."""
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m bench.tracking")
    parser.add_argument("--vehicles", type=int, default=200)
    parser.add_argument("--per-vehicle", type=int, default=500, help="pings per vehicle")
    parser.add_argument("--batch", type=int, default=50, help="pings per ping.batch event")
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--poll-records", type=int, default=500)
    parser.add_argument("--phases", default="single,batch,latency")
    args = parser.parse_args()
    infra = start_infrastructure(ROOT / ".lastmile" / "bench-tracking", fresh_database=True)
    try:
        phases = args.phases.split(",")
        if "single" in phases:
            out = asyncio.run(
                throughput(infra, args.vehicles, args.per_vehicle // 5, 1, args.poll_records)
            )
            print(json.dumps(out), flush=True)
        if "batch" in phases:
            out = asyncio.run(
                throughput(infra, args.vehicles, args.per_vehicle, args.batch, args.poll_records)
            )
            print(json.dumps(out), flush=True)
        if "latency" in phases:
            out = asyncio.run(latency(infra, 500, args.rate, args.seconds, args.poll_records))
            print(json.dumps(out), flush=True)
    finally:
        infra.stop()


if __name__ == "__main__":
    main()
