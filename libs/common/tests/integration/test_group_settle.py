"""The broker's group states that `settled` waits on: not stable while a member joins, then
stable (on the embedded Tansu broker, whose names for them differ from Apache Kafka's)."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer
from lastmile_common.kafka.consumer import close_consumer
from lastmile_common.kafka.group_settle import CALM, NO_MEMBERS, group_state
from lastmile_common.settings import ServiceSettings

from lastmile.infra.platform import Infrastructure

TOPIC = "orders.v1"


async def test_a_group_reads_as_rebalancing_while_a_member_joins_then_calm(
    infra: Infrastructure,
) -> None:
    kafka = ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap).kafka()
    group = f"settle-{uuid.uuid4().hex[:8]}"
    assert await group_state(kafka, group) in NO_MEMBERS
    first = AIOKafkaConsumer(TOPIC, bootstrap_servers=infra.kafka_bootstrap, group_id=group)
    await first.start()  # returns once assigned
    second = AIOKafkaConsumer(TOPIC, bootstrap_servers=infra.kafka_bootstrap, group_id=group)
    joining = asyncio.create_task(second.start())
    try:
        seen = []
        async with asyncio.timeout(60):
            while not joining.done() or seen[-1] != CALM:
                seen.append(await group_state(kafka, group))
                await first.getmany(timeout_ms=100)  # heartbeats, rejoins
        assert any(state != CALM for state in seen), seen
        assert seen[-1] == "Stable", seen
    finally:
        await joining
        await close_consumer(second)
        await close_consumer(first)
