"""A replica leaving tracking's vehicle group (every rolling deploy stops one) stops every
vehicle's ETAs until the others are assigned again: with tracking's consumer settings that
pause stays short on the broker the tests run on."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.consumer import ConsumerRunner
from lastmile_common.kafka.subscription import Assignment, Subscription
from tracking.settings import TrackingSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.waiting import eventually

pytestmark = pytest.mark.integration
# Tansu ends a rebalance about half a session timeout after it began: 5-6 s with the 10 s that
# tracking had, 3-4 s with its 6 s (Apache Kafka, as soon as every member has rejoined).
PAUSE_MAX_S = 4.8


class Held:
    """Rebalance hooks that only note the partitions held."""

    def __init__(self) -> None:
        self.partitions: set[int] = set()

    async def assigned(self, assignment: Assignment) -> None:
        self.partitions |= assignment.of(GPS_PINGS)

    async def revoked(self, assignment: Assignment) -> None:
        self.partitions -= assignment.of(GPS_PINGS)


async def test_the_others_take_over_soon_after_a_replica_leaves(
    app: RunningApp, producer: AIOKafkaProducer, infra: Infrastructure
) -> None:
    # Joined at once (not after the group was calm): the second join is not what is measured.
    settings = TrackingSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap, consumer_join_calm_s=0
    )
    kafka = settings.kafka()
    group = f"pause-{uuid.uuid4().hex[:8]}"
    held = [Held(), Held()]
    runners = [
        ConsumerRunner(
            Subscription(group, (GPS_PINGS,), {}, co_partitioned=True, rebalance=hooks),
            app.state.runtime.pool,
            producer,
            kafka,
        )
        for hooks in held
    ]
    try:
        for runner in runners:
            await runner.start()
        await eventually(lambda: all(h.partitions for h in held), timeout=60, what="both hold")
        everything = held[0].partitions | held[1].partitions
        loop = asyncio.get_running_loop()
        left = loop.time()
        await runners.pop(0).stop()
        await eventually(lambda: held[1].partitions == everything, timeout=30, what="taken over")
        took = loop.time() - left
    finally:
        for runner in runners:
            await runner.stop()
    assert took < PAUSE_MAX_S, f"the group paused {took:.1f} s"
