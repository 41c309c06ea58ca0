"""A tracking replica SIGSTOPped inside a batch's transaction, past the session timeout: the
group gives its partitions to the other; PostgreSQL ends the frozen transaction (its row locks
held the new owner back), so the other carries on during the stall; resumed, the stalled one is
fenced and rejoins. Every arrival and route start is emitted exactly once."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections import Counter
from subprocess import Popen
from urllib.parse import urlsplit

import asyncpg
import psutil
from lastmile_common.events.topics import DELIVERIES

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .test_tracking_replicas import (
    VEHICLES,
    arrivals_once,
    drive,
    fleet,
    of,
    routes_driven,
    routes_saved,
)

STALL_S = 12.0  # twice tracking's 6 s session timeout: the group drops the stalled replica
IDLE_S = 3.0  # the frozen transaction ends this long after its last statement
# A consumer's batch from its inbox claim (its first statement) until its write: the claim
# running, or the handlers computing. Not any transaction of the process (the outbox relay's).
IN_BATCH = """SELECT pid FROM pg_stat_activity
    WHERE state IN ('active', 'idle in transaction') AND client_port = ANY($1::int[])
    AND query LIKE 'INSERT INTO inbox%'"""
STILL_IN = """SELECT pid FROM pg_stat_activity
    WHERE pid = $1 AND state IN ('active', 'idle in transaction')
    AND query LIKE 'INSERT INTO inbox%'"""


def database_ports(process: Popen[bytes], infra: Infrastructure) -> list[int]:
    """The local ports of the process's connections to the database."""
    db_port = urlsplit(infra.database_url).port or 5432
    return [
        c.laddr.port
        for c in psutil.Process(process.pid).net_connections(kind="tcp")
        if c.raddr and c.raddr.port == db_port
    ]


async def stop_inside_a_batch(
    process: Popen[bytes], infra: Infrastructure, conn: asyncpg.Connection
) -> int:
    """SIGSTOP the process at a moment its consumer is inside a batch's transaction (as
    `pg_stat_activity` shows), checked again once stopped; the backend's pid."""
    loop = asyncio.get_running_loop()
    deadline, looked = loop.time() + 60, 0.0
    while loop.time() < deadline:
        if loop.time() - looked > 1:  # the pool may open connections meanwhile
            ports, looked = database_ports(process, infra), loop.time()
        backend = await conn.fetchval(IN_BATCH, ports)
        if backend is None:
            continue
        process.send_signal(signal.SIGSTOP)
        if await conn.fetchval(STILL_IN, backend) is not None:
            return int(backend)
        process.send_signal(signal.SIGCONT)  # it committed before the signal landed
    raise AssertionError("the replica was never caught inside a batch")


async def test_a_replica_stalled_inside_a_batch_holds_nothing_back_and_emits_nothing_twice(
    own_infra: Infrastructure,
) -> None:
    tenant = uuid.uuid4().hex
    routes, traces = routes_driven()
    conn = await asyncpg.connect(own_infra.database_url)
    settings = {"DB_IDLE_IN_TRANSACTION_S": str(IDLE_S)}
    try:
        async with (
            fleet(own_infra, 2, settings) as (producer, replicas),
            TopicReader(own_infra.kafka_bootstrap, DELIVERIES) as deliveries,
        ):
            for route in routes:
                await publish(producer, route, tenant=tenant, key=route.depot_id)
            await routes_saved(own_infra, tenant, VEHICLES)
            third = min(len(t) for t in traces.values()) // 3
            await drive(producer, tenant, traces, slice(0, third))
            stalled = replicas.running[0]
            rest = asyncio.create_task(drive(producer, tenant, traces, slice(third, None)))
            backend = await stop_inside_a_batch(stalled, own_infra, conn)

            async def ended() -> bool:
                alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
                return await conn.fetchval(alive, backend) == 0

            # Its locks (inbox claims, partition epochs) go with it, well before it resumes.
            await eventually(ended, timeout=STALL_S - 2, what="the frozen transaction ended")
            await asyncio.sleep(STALL_S - IDLE_S)
            stalled.send_signal(signal.SIGCONT)
            await rest
            want = 2 * VEHICLES
            await deliveries.wait_for(
                lambda e: e.tenant == tenant and e.type == "stop.arrived", count=want, timeout=120
            )
            await deliveries.wait_for(lambda e: False, timeout=8)  # a duplicate would come now
    finally:
        await conn.close()
    arrivals_once(deliveries, tenant, want)
    starts = Counter(e.data.route_id for e in of(deliveries, tenant, "route.started"))  # type: ignore[attr-defined]
    assert set(starts.values()) == {1}, f"a route started twice: {starts}"
