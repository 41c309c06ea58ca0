"""When the replica that relays a schema's outbox stops (every rolling deploy stops it), another
replica's relay takes over within a fraction of a second."""

from __future__ import annotations

import asyncio

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.kafka.relay import OutboxRelay

CYCLES = 3


async def _leads(relay: OutboxRelay) -> float:
    """Seconds until `relay` leads."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(10):
        while not relay.is_leader:
            await asyncio.sleep(0.01)
    return loop.time() - started


async def test_a_relay_takes_over_soon_after_the_leading_one_stops(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, schema: str
) -> None:
    leader = OutboxRelay(pool, producer, schema)
    await leader.start()
    await _leads(leader)
    waits = []
    for _ in range(CYCLES):  # the moment of the stop falls anywhere in the follower's wait
        follower = OutboxRelay(pool, producer, schema)
        await follower.start()
        await asyncio.sleep(0.3)
        assert not follower.is_leader  # one relay per schema
        await leader.stop()
        waits.append(await _leads(follower))
        leader = follower
    await leader.stop()
    # Followers asked every 2 s: their events waited up to 2 s more after each stop.
    assert max(waits) < 0.8, f"took over after {waits}"
