"""A batch of handlers that only compute gives the event loop back now and then, so that the
rest of the process (heartbeats, the outbox relay, SIGTERM) is not held for the whole batch."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.pings import Ping
from lastmile_common.kafka.processing import EventProcessor, Record
from lastmile_common.kafka.subscription import Subscription
from lastmile_common.settings import ServiceSettings

from lastmile.infra.platform import Infrastructure

EVENTS = 60
BUSY_S = 0.01  # per event: 0.6 s of computing in one batch


def _records(tenant: str) -> list[Record]:
    now = datetime.now(UTC)
    records = []
    for n in range(EVENTS):
        ping = Ping(vehicle_id="v1", time=now + timedelta(seconds=n), lat=52.5, lon=13.4)
        wire = encode(Envelope.wrap(ping, source="test", tenant=tenant), "v1")
        records.append(
            ConsumerRecord(
                "gps.pings.v1", 0, n, 0, 0, wire.key, wire.value, None, 0, 0, wire.headers
            )
        )
    return records


async def test_a_computing_batch_lets_the_rest_of_the_process_run(
    infra: Infrastructure, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    tenant = uuid.uuid4().hex
    handled = []

    async def on_ping(conn: Connection, envelope: Envelope) -> None:
        until = time.perf_counter() + BUSY_S
        while time.perf_counter() < until:  # computing, never awaiting
            pass
        handled.append(envelope.id)

    settings = ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap)
    subscription = Subscription(f"yield-{tenant}", ("gps.pings.v1",), {"ping": on_ping})
    processor = EventProcessor(subscription, pool, producer, settings.kafka())
    stalls: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stalls.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        await asyncio.sleep(0.01)
        await processor.process(_records(tenant))
    finally:
        ticking.cancel()
    assert len(handled) == EVENTS  # one transaction, every event
    # Without yielding, the ticker waited for the whole batch (0.6 s).
    assert max(stalls) < 0.2, f"the event loop was held {max(stalls):.2f} s"
