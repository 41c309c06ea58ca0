"""The runner's dead letters: poison, invalid data, permanent and exhausted failures go to the
DLT with why, how often and where; the partition keeps flowing behind them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.pings import Ping
from lastmile_common.events.topics import GPS_PINGS, dlt_of
from lastmile_common.kafka.consumer import ConsumerRunner, PermanentError, Subscription
from lastmile_common.kafka.dead_letter import (
    ATTEMPTS_HEADER,
    CONSUMER_HEADER,
    ERROR_HEADER,
    SOURCE_OFFSET_HEADER,
    SOURCE_PARTITION_HEADER,
    SOURCE_TOPIC_HEADER,
)
from lastmile_common.settings import ServiceSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

MAX_ATTEMPTS = 3


async def _send_raw(producer: AIOKafkaProducer, value: bytes, key: str, tenant: str) -> None:
    """A record with valid CloudEvents headers and whatever value (JSON or not)."""
    ping = Ping(vehicle_id="v", time=datetime.now(UTC), lat=52.5, lon=13.4)
    headers = encode(Envelope.wrap(ping, source="tests", tenant=tenant), key).headers
    await producer.send_and_wait(GPS_PINGS, value=value, key=key.encode(), headers=headers)


# size: one partition's story, then every header checked
async def test_poison_and_failures_are_dead_lettered_and_the_partition_keeps_flowing(
    infra: Infrastructure, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    tenant = uuid.uuid4().hex
    group = f"runner-dlt-{tenant[:8]}"
    handled: list[str] = []
    tries: dict[str, int] = {}

    async def on_ping(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, Ping)
        if envelope.tenant != tenant:
            return
        tries[envelope.data.vehicle_id] = tries.get(envelope.data.vehicle_id, 0) + 1
        if envelope.data.vehicle_id == "refused":
            raise PermanentError("this ping can never succeed")
        if envelope.data.vehicle_id == "flaky":
            raise RuntimeError("fails every time")
        handled.append(envelope.data.vehicle_id)

    settings = ServiceSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_backoff_initial_s=0.01,
        consumer_max_attempts=MAX_ATTEMPTS,
    )
    runner = ConsumerRunner(
        Subscription(group, (GPS_PINGS,), {"ping": on_ping}), pool, producer, settings.kafka()
    )
    now = datetime.now(UTC)
    key = tenant  # one key: one partition, in this order
    await _send_raw(producer, b"{not json", key, tenant)
    await _send_raw(
        producer,
        b'{"vehicle_id": "v", "time": "2026-11-24T10:00:00Z", "lat": 999, "lon": 0}',
        key,
        tenant,
    )
    for vehicle in ("refused", "flaky", "good"):
        ping = Ping(vehicle_id=vehicle, time=now, lat=52.5, lon=13.4)
        await publish(producer, ping, tenant=tenant, key=key)
    async with TopicReader(infra.kafka_bootstrap, dlt_of(GPS_PINGS)) as dlt:
        await runner.start()
        try:
            await eventually(lambda: handled, timeout=30, what="the good ping handled")
            mine = lambda r: dict(r.headers).get(CONSUMER_HEADER) == group.encode()  # noqa: E731
            dead: list[object] = []

            async def four() -> bool:
                dead.extend(await dlt.raw(mine, timeout=1))
                return len(dead) >= 4

            await eventually(four, timeout=30, what="four dead letters")
        finally:
            await runner.stop()
    assert handled == ["good"]
    # A failed batch is retried event by event: a permanent error is then never retried, a
    # transient one MAX_ATTEMPTS times; the good ping behind them is handled once.
    assert tries["refused"] <= 2
    assert MAX_ATTEMPTS <= tries["flaky"] <= MAX_ATTEMPTS + 1
    assert tries["good"] == 1
    headers = [{k: v.decode() for k, v in r.headers} for r in dead]  # type: ignore[attr-defined]
    errors = [h[ERROR_HEADER] for h in headers]
    assert "JSON" in errors[0] or "json" in errors[0].lower()
    assert "lat" in errors[1]
    assert "can never succeed" in errors[2]
    assert "fails every time" in errors[3]
    assert [h[ATTEMPTS_HEADER] for h in headers] == ["1", "1", "1", str(MAX_ATTEMPTS)]
    assert {h[SOURCE_TOPIC_HEADER] for h in headers} == {GPS_PINGS}
    assert len({h[SOURCE_PARTITION_HEADER] for h in headers}) == 1
    offsets = [int(h[SOURCE_OFFSET_HEADER]) for h in headers]
    assert offsets == sorted(offsets) and len(set(offsets)) == 4
    assert [r.value for r in dead[:2]] == [  # type: ignore[attr-defined]
        b"{not json",
        b'{"vehicle_id": "v", "time": "2026-11-24T10:00:00Z", "lat": 999, "lon": 0}',
    ]
