"""The consumer runner's batch hooks and inbox pruning, on the real broker and database."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.db.inbox import claim, prune
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping
from lastmile_common.kafka.consumer import ConsumerRunner, Subscription
from lastmile_common.settings import ServiceSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import publish


class RecordingHooks:
    """Gathers handled event ids in memory and writes them at the end of the batch."""

    def __init__(self) -> None:
        self.applied: set[str] = set()  # in-memory state a rollback must undo
        self.batch: list[str] = []
        self.rollbacks = 0

    def begin(self) -> None:
        self.batch = []

    async def before_commit(self, conn: Connection) -> None:
        await conn.executemany(
            "INSERT INTO written (event_id) VALUES ($1)", [(i,) for i in self.batch]
        )

    def rolled_back(self) -> None:
        self.rollbacks += 1
        self.applied.difference_update(self.batch)
        self.batch = []


async def test_hooks_write_once_per_batch_and_undo_a_failed_batch(
    infra: Infrastructure, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    tenant = uuid.uuid4().hex
    hooks = RecordingHooks()
    failed_once: set[str] = set()
    poison_vehicle = f"poison-{tenant}"

    async def on_ping(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, Ping)
        if envelope.tenant != tenant:
            return
        if envelope.data.vehicle_id == poison_vehicle and envelope.id not in failed_once:
            failed_once.add(envelope.id)
            raise RuntimeError("transient failure")
        assert envelope.id not in hooks.applied, "an event was applied twice"
        hooks.applied.add(envelope.id)
        hooks.batch.append(envelope.id)

    settings = ServiceSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_backoff_initial_s=0.01,
        consumer_max_attempts=3,
    )
    subscription = Subscription(
        f"runner-test-{tenant}", ("gps.pings.v1",), {"ping": on_ping}, hooks=hooks
    )
    runner = ConsumerRunner(subscription, pool, producer, settings.kafka())
    now = datetime.now(UTC)
    sent = []
    for n, vehicle in enumerate(["v1", "v2", poison_vehicle, "v3"]):
        ping = Ping(vehicle_id=vehicle, time=now + timedelta(seconds=n), lat=52.5, lon=13.4)
        sent.append(await publish(producer, ping, tenant=tenant, key=tenant))
    await runner.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(hooks.applied) < len(sent) and loop.time() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await runner.stop()
    ids = {e.id for e in sent}
    assert hooks.applied == ids
    written = {r["event_id"] for r in await pool.fetch("SELECT event_id FROM written")}
    assert written == ids  # each written exactly once (primary key), after the rolled-back try
    assert hooks.rollbacks >= 1


async def test_prune_forgets_only_old_claims_of_its_consumer(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await claim(conn, "c1", ["old", "new"])
        await claim(conn, "c2", ["old"])
        await conn.execute(
            "UPDATE inbox SET processed_at = now() - interval '10 days' WHERE event_id = 'old'"
        )
        assert await prune(conn, "c1", 192) == 1
        left = await conn.fetch("SELECT consumer, event_id FROM inbox ORDER BY consumer, event_id")
    assert [tuple(r) for r in left] == [("c1", "new"), ("c2", "old")]
