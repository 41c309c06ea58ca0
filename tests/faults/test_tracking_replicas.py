"""Three tracking replicas in one consumer group on the real broker and database: routes driven
by GPS, one replica killed -9 mid-stream and another started. Every arrival and route start is
emitted exactly once, ETAs go on for every route, and no route is lost or doubled."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from subprocess import Popen
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.events.routes import RoutePlanned
from lastmile_common.events.topics import DELIVERIES, ETAS
from tracking.domain.fixes import Fix
from tracking.simulation import planned_route, route_trace

from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.faults import FAST_RECOVERY
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.processes import service_process, wait_ready
from lastmile.testing.waiting import eventually

VEHICLES = 8
PER_BATCH = 10
# Every ETA recomputed is told (no throttle), so "ETAs continue" is visible per route.
SETTINGS = {**FAST_RECOVERY, "ETA_THRESHOLD_S": "0", "ETA_MIN_INTERVAL_S": "0"}


class Replicas:
    """Tracking processes started and killed by the test."""

    def __init__(
        self, infra: Infrastructure, stack: ExitStack, settings: dict[str, str] | None = None
    ) -> None:
        self.infra, self.stack = infra, stack
        self.settings = {**SETTINGS, **(settings or {})}
        self.running: list[Popen[bytes]] = []

    async def start(self) -> None:
        port = free_port()
        process = self.stack.enter_context(
            service_process("tracking", self.infra, port, settings=self.settings)
        )
        await wait_ready(process, port)
        self.running.append(process)


def batches(vehicle: str, fixes: list[Fix]) -> Iterator[PingBatch]:
    pings = [
        Ping(vehicle_id=vehicle, time=f.time, lat=f.lat, lon=f.lon, accuracy_m=f.accuracy_m)
        for f in fixes
    ]
    for i in range(0, len(pings), PER_BATCH):
        yield PingBatch(vehicle_id=vehicle, pings=tuple(pings[i : i + PER_BATCH]))


async def drive(
    producer: AIOKafkaProducer, tenant: str, traces: dict[str, list[Fix]], part: slice
) -> None:
    """Each vehicle's share of its trace, the vehicles interleaved batch by batch."""
    streams = [list(batches(v, fixes[part])) for v, fixes in traces.items()]
    for round_ in range(max(len(s) for s in streams)):
        for vehicle, stream in zip(traces, streams, strict=True):
            if round_ < len(stream):
                await publish(producer, stream[round_], tenant=tenant, key=vehicle)
        await asyncio.sleep(0.05)


async def routes_saved(infra: Infrastructure, tenant: str, count: int) -> None:
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "tracking"})
    try:

        async def saved() -> bool:
            n = await conn.fetchval("SELECT count(*) FROM routes WHERE tenant_id = $1", tenant)
            return bool(n == count)

        await eventually(saved, timeout=60, what="every route followed")
    finally:
        await conn.close()


def of(reader: TopicReader, tenant: str, kind: str) -> list[Envelope]:
    return [e for e, _ in reader.records if e is not None and e.tenant == tenant and e.type == kind]


@asynccontextmanager
async def fleet(
    infra: Infrastructure, count: int, settings: dict[str, str] | None = None
) -> AsyncIterator[tuple[Any, Replicas]]:
    """A producer and `count` tracking replicas started together (with `settings` besides the
    test's own); all stopped on exit."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        with ExitStack() as stack:
            replicas = Replicas(infra, stack, settings)
            await asyncio.gather(*(replicas.start() for _ in range(count)))
            yield producer, replicas
    finally:
        await producer.stop()


def routes_driven() -> tuple[list[RoutePlanned], dict[str, list[Fix]]]:
    """VEHICLES routes of two stops begun an hour ago, and the GPS trace driving each."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    routes = [
        planned_route(
            f"r-{i}-{uuid.uuid4().hex[:6]}", f"v-{i}-{uuid.uuid4().hex[:6]}", start, stops=2
        )
        for i in range(VEHICLES)
    ]
    return routes, {r.vehicle_id: route_trace(r, start) for r in routes}


def distinct[K: Hashable](events: list[Envelope], key: Callable[[Envelope], K]) -> Counter[K]:
    """How many distinct events (by id) each key has. Records with one id are one event the
    outbox relay published again (at least once: a relay stalled between the broker's ack and
    marking its rows sent publishes them again; consumers' inboxes drop the copy), provided the
    copies are the same event: each publish's traceparent names its own send span)."""
    first: dict[str, Envelope] = {}
    for event in events:
        sent = replace(event, traceparent=None)
        assert first.setdefault(event.id, sent) == sent, f"one id, two events: {event.id}"
    return Counter(key(e) for e in first.values())


def arrivals_once(deliveries: TopicReader, tenant: str, want: int) -> None:
    """Every arrival of the tenant emitted, each exactly once (one event, whatever the copies)."""
    arrived = of(deliveries, tenant, "stop.arrived")
    arrivals = distinct(arrived, lambda e: (e.data.route_id, e.data.stop_id))  # type: ignore[attr-defined]
    assert len(arrivals) == want, f"arrivals lost: {want - len(arrivals)}"
    assert set(arrivals.values()) == {1}, f"arrivals emitted twice: {arrivals}"


def routes_once(deliveries: TopicReader, tenant: str, kind: str) -> Counter[str]:
    """Each route's distinct events of `kind` (route.started, route.completed)."""
    return distinct(of(deliveries, tenant, kind), lambda e: e.data.route_id)  # type: ignore[attr-defined]


# size: one scenario (three replicas, routes, half the traces, kill -9, start, the rest, counts)
async def test_a_replica_killed_mid_stream_loses_and_doubles_nothing(
    own_infra: Infrastructure,
) -> None:
    tenant = uuid.uuid4().hex
    routes, traces = routes_driven()
    async with (
        fleet(own_infra, 3) as (producer, replicas),
        TopicReader(own_infra.kafka_bootstrap, DELIVERIES) as deliveries,
        TopicReader(own_infra.kafka_bootstrap, ETAS) as etas,
    ):
        for route in routes:
            await publish(producer, route, tenant=tenant, key=route.depot_id)
        await routes_saved(own_infra, tenant, VEHICLES)
        half = min(len(t) for t in traces.values()) // 2
        await drive(producer, tenant, traces, slice(0, half))
        victim = replicas.running.pop(0)
        victim.kill()  # SIGKILL mid-stream: no flush, no commit, no leaving the group
        victim.wait()
        killed_at = datetime.now(UTC)
        started = time.monotonic()
        await replicas.start()
        await drive(producer, tenant, traces, slice(half, None))
        want = 2 * VEHICLES
        await deliveries.wait_for(
            lambda e: e.tenant == tenant and e.type == "stop.arrived", count=want, timeout=120
        )
        # Then a quiet while: anything emitted twice would arrive in it.
        await deliveries.wait_for(lambda e: False, timeout=5)
        await etas.wait_for(lambda e: False, timeout=2)
        took = time.monotonic() - started
    arrivals_once(deliveries, tenant, want)
    starts = routes_once(deliveries, tenant, "route.started")
    assert sorted(starts) == sorted(r.route_id for r in routes), "a route lost"
    assert set(starts.values()) == {1}, f"a route started twice: {starts}"
    completed = routes_once(deliveries, tenant, "route.completed")
    assert set(completed.values()) <= {1}, f"a route completed twice: {completed}"
    after = {e.data.route_id for e in of(etas, tenant, "eta.updated") if e.time > killed_at}  # type: ignore[attr-defined]
    assert after == {r.route_id for r in routes}, "a route's ETAs stopped after the kill"
    print(f"kill -9 to the last arrival: {took:.1f} s; completed routes: {len(completed)}")
