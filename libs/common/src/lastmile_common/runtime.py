"""A service's running plumbing: pool, producer, consumer runners and outbox relay, started
and stopped in the right order."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaProducer

from lastmile_common.db.migrations import migrate
from lastmile_common.db.pool import create_pool
from lastmile_common.kafka.consumer import ConsumerRunner, Subscription
from lastmile_common.kafka.producer import make_producer
from lastmile_common.kafka.relay import OutboxRelay
from lastmile_common.settings import ServiceSettings

log = logging.getLogger(__name__)

# Profiled on tracking's ping path: with live state in memory, the default young-generation
# threshold (700 allocations) spent ~20% of the consumer's time in the collector.
GC_THRESHOLDS = (50_000, 20, 10)


@dataclass
class Runtime:
    """What a service's handlers and routes use at run time."""

    service: str
    settings: ServiceSettings
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    relay: OutboxRelay
    runners: list[ConsumerRunner] = field(default_factory=list)

    async def db_ready(self) -> bool:
        """The database answers."""
        return bool(await self.pool.fetchval("SELECT 1"))

    async def broker_ready(self) -> bool:
        """The broker's metadata is reachable and every background task is alive."""
        client = self.producer.client
        await asyncio.wait_for(client.force_metadata_update(), timeout=2.0)
        return (
            bool(client.cluster.brokers())
            and self.relay.healthy
            and all(runner.healthy for runner in self.runners)
        )


async def start_runtime(
    service: str,
    settings: ServiceSettings,
    migrations_package: str,
    subscriptions: Sequence[Subscription] = (),
) -> Runtime:
    """Connect, migrate (unless told not to), start the producer, the relay and the consumers."""
    url = settings.require_database_url()
    kafka = settings.kafka()
    pool = await create_pool(
        url, service, min_size=settings.db_pool_min, max_size=settings.db_pool_max
    )
    if settings.migrate_on_start:
        async with pool.acquire() as conn:
            await migrate(conn, service, migrations_package)
    producer = make_producer(kafka, client_id=service)
    await producer.start()
    relay = OutboxRelay(
        pool,
        producer,
        service,
        batch_size=settings.outbox_batch_size,
        poll_interval_s=settings.outbox_poll_interval_s,
    )
    await relay.start()
    runtime = Runtime(service, settings, pool, producer, relay)
    runtime.runners = [ConsumerRunner(sub, pool, producer, kafka) for sub in subscriptions]
    await asyncio.gather(*(runner.start() for runner in runtime.runners))
    settle_heap()
    return runtime


def settle_heap() -> None:
    """Move what startup built (modules, recovered state) out of the collector's sight and
    collect young objects less often; call again after loading a large state."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def stop_runtime(runtime: Runtime) -> None:
    """Stop consumers (finish, commit, leave), then the relay, the producer and the pool."""
    for runner in runtime.runners:
        try:
            await runner.stop()
        except Exception:
            log.exception("consumer did not stop cleanly", extra={"consumer": runner.name})
    await runtime.relay.stop()
    await runtime.producer.stop()
    await runtime.pool.close()
