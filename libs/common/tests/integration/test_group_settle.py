"""The broker's group states that `settled` waits on: not stable while a member joins, then
stable (on the embedded Tansu broker, whose names for them differ from Apache Kafka's)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from lastmile_common.kafka.consumer import ConsumerRunner, close_consumer
from lastmile_common.kafka.group_settle import CALM, NO_MEMBERS, admin_client, group_state
from lastmile_common.kafka.subscription import Assignment, Subscription
from lastmile_common.settings import ServiceSettings

from lastmile.infra.platform import Infrastructure

TOPIC = "orders.v1"


async def test_a_group_reads_as_rebalancing_while_a_member_joins_then_calm(
    infra: Infrastructure,
) -> None:
    kafka = ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap).kafka()
    group = f"settle-{uuid.uuid4().hex[:8]}"
    async with admin_client(kafka) as admin:
        assert await group_state(admin, group) in NO_MEMBERS
        first = AIOKafkaConsumer(TOPIC, bootstrap_servers=infra.kafka_bootstrap, group_id=group)
        await first.start()  # returns once assigned
        second = AIOKafkaConsumer(TOPIC, bootstrap_servers=infra.kafka_bootstrap, group_id=group)
        joining = asyncio.create_task(second.start())
        try:
            seen = []
            async with asyncio.timeout(60):
                while not joining.done() or seen[-1] != CALM:
                    seen.append(await group_state(admin, group))
                    await first.getmany(timeout_ms=100)  # heartbeats, rejoins
            assert any(state != CALM for state in seen), seen
            assert seen[-1] == "Stable", seen
        finally:
            await joining
            await close_consumer(second)
            await close_consumer(first)


class _Hooks:
    """Rebalance hooks that keep nothing: make the group a stateful one."""

    async def assigned(self, assignment: Assignment) -> None:
        pass

    async def revoked(self, assignment: Assignment) -> None:
        pass


async def test_a_replica_joining_others_is_settled_only_once_the_group_is_calm_again(
    infra: Infrastructure, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    kafka = ServiceSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap, consumer_join_calm_s=1.0
    ).kafka()
    subscription = Subscription(f"settle-{uuid.uuid4().hex[:8]}", (TOPIC,), {}, rebalance=_Hooks())
    first = ConsumerRunner(subscription, pool, producer, kafka)
    await first.start()
    second = ConsumerRunner(subscription, pool, producer, kafka)
    try:
        assert first.settled  # alone in the group: nothing to wait for
        await second.start()
        # Its join paused the first member's partitions: not ready until that has passed.
        assert not second.settled
        async with asyncio.timeout(30):
            while not second.settled:
                await asyncio.sleep(0.1)
        async with admin_client(kafka) as admin:
            assert await group_state(admin, subscription.name) == CALM
    finally:
        await second.stop()
        await first.stop()
