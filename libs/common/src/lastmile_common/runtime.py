"""A service's running plumbing: pool, producer, outbox relay, the service's own components and
its consumers, entered in that order and left in reverse."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg
from aiokafka import AIOKafkaProducer
from starlette.datastructures import State

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
        """The broker's metadata is reachable, the relay and every consumer are alive and the
        groups this replica joined have settled since."""
        client = self.producer.client
        await asyncio.wait_for(client.force_metadata_update(), timeout=2.0)
        return (
            bool(client.cluster.brokers())
            and self.relay.healthy
            and all(runner.healthy and runner.settled for runner in self.runners)
        )


class Component(Protocol):
    """A part of a service beside the plumbing (a tracker, a dispatcher, background loops)."""

    name: str

    def run(self, runtime: Runtime, state: State) -> AbstractAsyncContextManager[object]:
        """Start on entry (pool, producer and relay are up, consumers not yet), publishing what
        routes need on the app's `state`; stop on exit (after the consumers stopped)."""
        ...

    async def ready(self) -> bool:
        """Whether it works (checked by `/readyz`)."""
        ...


# A service's consumers, declared once its components run (so they can use what those built).
Subscriptions = Callable[[], Sequence[Subscription]]


@asynccontextmanager
async def running(
    service: str,
    settings: ServiceSettings,
    state: State,
    *,
    migrations: str,
    components: Sequence[Component] = (),
    subscriptions: Subscriptions = tuple,
) -> AsyncIterator[Runtime]:
    """Connect, migrate (unless told not to), start the producer, the relay, the components and
    the consumers; on exit stop them in reverse order (consumers finish, commit and leave)."""
    async with AsyncExitStack() as stack:
        pool = await create_pool(
            settings.require_database_url(),
            service,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            idle_in_transaction_s=settings.db_idle_in_transaction_s,
        )
        stack.push_async_callback(pool.close)
        if settings.migrate_on_start:
            async with pool.acquire() as conn:
                await migrate(conn, service, migrations)
        kafka = settings.kafka()
        producer = make_producer(kafka, client_id=service)
        await producer.start()
        stack.push_async_callback(producer.stop)
        relay = OutboxRelay(
            pool,
            producer,
            service,
            batch_size=settings.outbox_batch_size,
            poll_interval_s=settings.outbox_poll_interval_s,
        )
        await relay.start()
        stack.push_async_callback(relay.stop)
        runtime = Runtime(service, settings, pool, producer, relay)
        state.runtime = runtime
        for component in components:
            await stack.enter_async_context(component.run(runtime, state))
        runtime.runners = [ConsumerRunner(s, pool, producer, kafka) for s in subscriptions()]
        stack.push_async_callback(_stop_consumers, runtime.runners)
        await asyncio.gather(*(runner.start() for runner in runtime.runners))
        settle_heap()
        yield runtime


async def _stop_consumers(runners: Sequence[ConsumerRunner]) -> None:
    """Stop every group at once: each one's partitions go to the other replicas as soon as its
    own batch in flight committed, not after the groups stopped before it."""

    async def stop(runner: ConsumerRunner) -> None:
        try:
            await runner.stop()
        except Exception:
            log.exception("consumer did not stop cleanly", extra={"consumer": runner.name})

    await asyncio.gather(*(stop(runner) for runner in runners))


def settle_heap() -> None:
    """Move what startup built (modules, recovered state) out of the collector's sight and
    collect young objects less often; call again after loading a large state."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
