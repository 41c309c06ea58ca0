"""A stopped consumer leaves its group at once, also in the broker's first generation."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from lastmile_common.kafka.consumer import close_consumer

from lastmile.infra.platform import Infrastructure

TOPIC = "orders.v1"


async def _assigned(bootstrap: str, group: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    async with asyncio.timeout(60):
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
    return consumer


async def _members(bootstrap: str, group: str) -> list[object]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_consumer_groups([group])
        # A group: (error, group, state, protocol type, protocol, members).
        return list(described.groups[0][5])
    finally:
        await admin.close()


async def test_a_closed_consumer_leaves_its_group(infra: Infrastructure) -> None:
    group = f"leave-{uuid.uuid4().hex[:8]}"
    first = await _assigned(infra.kafka_bootstrap, group)
    assert len(await _members(infra.kafka_bootstrap, group)) == 1
    await close_consumer(first)
    assert await _members(infra.kafka_bootstrap, group) == []
    # The next member gets every partition without waiting out the first one's session.
    loop = asyncio.get_running_loop()
    started = loop.time()
    second = await _assigned(infra.kafka_bootstrap, group)
    try:
        assert len(second.assignment()) > 0
        assert loop.time() - started < 10.0  # the session timeout the first member would hold
    finally:
        await close_consumer(second)
