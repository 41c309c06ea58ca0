"""`python -m bench.tracking`: pings/s from gps.pings.v1 to state and events, and ping →
eta.updated latency at a fixed rate, on embedded (or configured) Kafka and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import multiprocessing
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lastmile_common.events.envelope import decode
from lastmile_common.routing import Router, RoutingSettings, open_router
from prometheus_client import REGISTRY
from tracking.bootstrap import create_app
from tracking.settings import TrackingSettings

from bench.tracking import workload
from bench.tracking.load import run_load
from bench.tracking.replicas import throughput_replicas
from bench.tracking.rolling import rolling_restart
from lastmile.infra.platform import Infrastructure, start_infrastructure

ROOT = Path(__file__).resolve().parents[2]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@functools.cache
def _router() -> Router:
    """The roads the benchmark's planner would plan on (the embedded map, prepared once)."""
    return open_router(RoutingSettings())


def _road_calls() -> int:
    """Calls tracking made to the road engine so far (its Prometheus counter)."""
    return int(REGISTRY.get_sample_value("tracking_road_calls_total") or 0)


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


async def throughput(
    infra: Infrastructure, vehicles: int, per_vehicle: int, batch: int, poll_records: int
) -> dict[str, Any]:
    """Pre-load the topic, then time the service draining it (state, storage and events)."""
    tenant = workload.new_tenant()
    start = workload.hours_ago(3)
    routes = workload.on_roads(workload.fleet(tenant, vehicles, start), _router())
    fixes = workload.traces(routes, start, per_vehicle, 1.0)
    records = workload.ping_records(tenant, fixes, batch)
    total = sum(len(trace) for trace in fixes.values())
    producer = await workload.producer(infra.kafka_bootstrap)
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
        # Pings may be judged while routes still load (they wait for their route): count every
        # ping of this fresh app, from the first one judged.
        calls0 = _road_calls()
        first = cpu0 = None
        while loop.time() < deadline and (
            sum(tracker.verdicts.values()) < total or len(tracker.state.routes) < len(routes)
        ):
            if first is None and sum(tracker.verdicts.values()) > 0:
                first, cpu0 = time.perf_counter(), _cpu()
            await asyncio.sleep(0.005)
        done, cpu1 = time.perf_counter(), _cpu()
        road_calls = _road_calls() - calls0
        processed = sum(tracker.verdicts.values())
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
        "road_calls": road_calls,
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
    depots = await workload.live_fleet(infra.kafka_bootstrap, tenant, vehicles, _router())
    app = create_app(_settings(infra, poll_records))
    lat_ms: list[float] = []
    async with app.router.lifespan_context(app):
        tracker = app.state.tracker
        await _until(lambda: len(tracker.state.routes) >= len(depots), 600)
        consumer = await workload.eta_consumer(infra.kafka_bootstrap, tenant)
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


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.tracking")
    parser.add_argument("--vehicles", type=int, default=200)
    parser.add_argument("--per-vehicle", type=int, default=500, help="pings per vehicle")
    parser.add_argument("--batch", type=int, default=50, help="pings per ping.batch event")
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--seconds", type=float, help="load seconds (latency 20, rolling 150)")
    parser.add_argument("--poll-records", type=int, default=500)
    parser.add_argument("--phases", default="single,batch,latency")
    parser.add_argument(
        "--replicas",
        default="",
        help="e.g. 1,2,3: instead of the phases, N tracking processes in one group drain the "
        "batch workload",
    )
    parser.add_argument(
        "--rolling",
        action="store_true",
        help="instead of the phases, 3 tracking processes under --rate pings/s restarted one by "
        "one (SIGTERM) after --warm seconds of load",
    )
    parser.add_argument("--warm", type=float, default=20.0, help="load seconds before restarts")
    parser.add_argument(
        "--logs",
        type=Path,
        help="with --rolling: replica logs (INFO) in DIR/replica-N.log, ETAs in DIR/etas.csv",
    )
    return parser.parse_args()


def main() -> None:
    """Run the phases and print one JSON line each."""
    logging.basicConfig(level=logging.WARNING)
    args = _arguments()
    infra = start_infrastructure(ROOT / ".lastmile" / "bench-tracking", fresh_database=True)
    try:
        for n in [int(r) for r in args.replicas.split(",") if r]:
            out = asyncio.run(
                throughput_replicas(
                    infra,
                    _router(),
                    n,
                    args.vehicles,
                    args.per_vehicle,
                    args.batch,
                    args.poll_records,
                )
            )
            print(json.dumps(out), flush=True)
        if args.rolling:
            out = asyncio.run(
                rolling_restart(
                    infra,
                    _router(),
                    args.vehicles,
                    args.rate,
                    args.seconds or 150.0,
                    args.warm,
                    logs=args.logs,
                )
            )
            print(json.dumps(out), flush=True)
        phases = [] if args.replicas or args.rolling else args.phases.split(",")
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
            out = asyncio.run(
                latency(infra, 500, args.rate, args.seconds or 20.0, args.poll_records)
            )
            print(json.dumps(out), flush=True)
    finally:
        infra.stop()


if __name__ == "__main__":
    main()
