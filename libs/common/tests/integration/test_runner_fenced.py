"""A fenced batch (its partitions have a newer owner) rolls back and is read again from the
committed offsets: never processed one by one, never dead-lettered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.consumer import ConsumerRunner, Subscription
from lastmile_common.kafka.subscription import Fenced
from lastmile_common.settings import ServiceSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually


class _Fence:
    """Batch hooks that fence every batch until lifted, and record the batches committed."""

    def __init__(self) -> None:
        self.up = True
        self.committed: list[str] = []
        self._batch: list[str] = []

    def begin(self) -> None:
        self._batch = []

    async def before_commit(self, conn: Connection) -> None:
        if self.up:
            raise Fenced("a newer owner took the partition")
        self.committed += self._batch

    def rolled_back(self) -> None:
        self._batch = []


async def test_a_fenced_batch_is_read_again_and_never_dead_lettered(
    infra: Infrastructure, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    tenant = uuid.uuid4().hex
    fence = _Fence()
    tries: list[str] = []

    async def on_ping(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, Ping)
        if envelope.tenant == tenant:
            tries.append(envelope.data.vehicle_id)
            fence._batch.append(envelope.data.vehicle_id)

    settings = ServiceSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_backoff_initial_s=0.01,
        consumer_max_attempts=2,
    )
    subscription = Subscription(
        f"runner-fenced-{tenant[:8]}", (GPS_PINGS,), {"ping": on_ping}, hooks=fence
    )
    runner = ConsumerRunner(subscription, pool, producer, settings.kafka())
    await publish(
        producer,
        Ping(vehicle_id="v1", time=datetime.now(UTC), lat=52.5, lon=13.4),
        tenant=tenant,
        key=tenant,
    )
    await runner.start()
    try:
        # More tries than max_attempts: the runner neither gave up nor dead-lettered it.
        await eventually(lambda: len(tries) >= 4, timeout=30, what="the fenced batch retried")
        assert fence.committed == []
        fence.up = False  # the rebalance gave the partition back
        await eventually(lambda: fence.committed == ["v1"], timeout=30, what="committed once")
    finally:
        await runner.stop()
