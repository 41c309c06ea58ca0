"""A tracking replica SIGSTOPped inside a batch's transaction, past the session timeout: the
group gives its partitions to the other; PostgreSQL ends the frozen transaction (its row locks
held the new owner back), so the other carries on during the stall; resumed, the stalled one is
fenced and rejoins. Stalled inside its outbox relay's publish instead, its rows go out again
with the same event ids (at least once; consumers' inboxes drop the copy). Either way every
arrival and route start is one event, emitted once."""

from __future__ import annotations

import asyncio
import signal
import uuid
from subprocess import Popen
from urllib.parse import urlsplit

import asyncpg
import psutil
import pytest
from lastmile_common.events.topics import DELIVERIES

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .test_tracking_replicas import (
    VEHICLES,
    arrivals_once,
    drive,
    fleet,
    routes_driven,
    routes_once,
    routes_saved,
)

STALL_S = 12.0  # twice tracking's 6 s session timeout: the group drops the stalled replica
IDLE_S = 3.0  # the frozen transaction ends this long after its last statement
# The transactions a stall may freeze, by their first statement: a consumer's batch (its inbox
# claim, then the handlers computing and its write) and the outbox relay's publish (its rows
# locked while the broker acknowledges them; frozen past IDLE_S, they are published again).
CONSUMER_BATCH = "INSERT INTO inbox"
RELAY_PUBLISH = "SELECT id, topic, key, value, headers FROM outbox"
IN_BATCH = """SELECT pid, client_port FROM pg_stat_activity
    WHERE state IN ('active', 'idle in transaction') AND client_port = ANY($1::int[])
    AND starts_with(query, $2)"""
# Stopped, the backend finishes the statement and waits for the client: idle in its
# transaction, which the server ends IDLE_S later. A statement still running once the process
# is stopped (behind another transaction's lock) is not that case: no idle timeout applies.
FROZEN = """SELECT state = 'idle in transaction' FROM pg_stat_activity
    WHERE pid = $1 AND starts_with(query, $2)"""
SETTLE_S = 1.0  # how long a stopped process's claim may take to finish


def database_ports(process: Popen[bytes], infra: Infrastructure) -> list[int]:
    """The local ports of the process's connections to the database."""
    db_port = urlsplit(infra.database_url).port or 5432
    return [
        c.laddr.port
        for c in psutil.Process(process.pid).net_connections(kind="tcp")
        if c.raddr and c.raddr.port == db_port
    ]


async def frozen_in_it(conn: asyncpg.Connection, backend: int, statement: str) -> bool:
    """Whether the stopped process's backend sits idle in the transaction, its statement done
    (waited for up to SETTLE_S)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_S
    while (idle := await conn.fetchval(FROZEN, backend, statement)) is False:
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.02)
    return bool(idle)


async def stop_inside(
    processes: list[Popen[bytes]], infra: Infrastructure, conn: asyncpg.Connection, statement: str
) -> tuple[Popen[bytes], int]:
    """SIGSTOP whichever process is inside a transaction begun with `statement` (as
    `pg_stat_activity` shows), checked again once stopped (idle in it); it and the backend."""
    loop = asyncio.get_running_loop()
    deadline, looked = loop.time() + 60, 0.0
    owners: dict[int, Popen[bytes]] = {}
    while loop.time() < deadline:
        if loop.time() - looked > 1:  # the pools may open connections meanwhile
            owners = {port: p for p in processes for port in database_ports(p, infra)}
            looked = loop.time()
        row = await conn.fetchrow(IN_BATCH, list(owners), statement)
        if row is None:
            continue
        process = owners[row["client_port"]]
        process.send_signal(signal.SIGSTOP)
        if await frozen_in_it(conn, row["pid"], statement):
            return process, int(row["pid"])
        process.send_signal(signal.SIGCONT)  # it committed before the signal landed, or waits
    raise AssertionError(f"no replica was caught inside {statement!r}")


@pytest.mark.parametrize("statement", [CONSUMER_BATCH, RELAY_PUBLISH], ids=["batch", "relay"])
async def test_a_replica_stalled_inside_a_batch_holds_nothing_back_and_emits_nothing_twice(
    own_infra: Infrastructure, statement: str
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
            rest = asyncio.create_task(drive(producer, tenant, traces, slice(third, None)))
            stalled, backend = await stop_inside(replicas.running, own_infra, conn, statement)

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
    starts = routes_once(deliveries, tenant, "route.started")
    assert set(starts.values()) == {1}, f"a route started twice: {starts}"
