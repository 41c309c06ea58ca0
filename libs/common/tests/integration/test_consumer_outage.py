"""Through a 10 s database outage the runner waits: no valid event is dead-lettered, every one is
handled exactly once after recovery, and a poison event still reaches the DLT."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from lastmile_common.db.pool import Connection, create_pool
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping
from lastmile_common.events.topics import GPS_PINGS, dlt_of
from lastmile_common.kafka.consumer import ConsumerRunner, Subscription
from lastmile_common.kafka.dead_letter import ATTEMPTS_HEADER
from lastmile_common.settings import ServiceSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import publish
from lastmile.testing.tcp_proxy import TcpProxy

OUTAGE_S = 10.0
MAX_ATTEMPTS = 3


# size: one outage told start to end
async def test_a_database_outage_dead_letters_nothing_and_loses_nothing(
    infra: Infrastructure, schema: str, producer: AIOKafkaProducer
) -> None:
    tenant = uuid.uuid4().hex
    poison = f"poison-{tenant}"
    direct = await asyncpg.connect(infra.database_url, server_settings={"search_path": schema})
    await direct.execute("CREATE TABLE handled (event_id text NOT NULL)")  # no key: counts twice
    proxy = TcpProxy.for_url(infra.database_url)
    await proxy.start()
    pool = await create_pool(proxy.url(infra.database_url), schema, min_size=1, max_size=4)

    async def on_ping(conn: Connection, envelope: Envelope) -> None:
        assert isinstance(envelope.data, Ping)
        if envelope.tenant != tenant:
            return
        if envelope.data.vehicle_id == poison:
            raise RuntimeError("this event can never be handled")
        await conn.execute("INSERT INTO handled (event_id) VALUES ($1)", envelope.id)

    settings = ServiceSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_backoff_initial_s=0.05,
        consumer_backoff_max_s=1.0,
        consumer_max_attempts=MAX_ATTEMPTS,
    )
    subscription = Subscription(f"outage-test-{tenant}", (GPS_PINGS,), {"ping": on_ping})
    runner = ConsumerRunner(subscription, pool, producer, settings.kafka())
    sent: list[Envelope] = []
    now = datetime.now(UTC)

    async def send(vehicle: str) -> Envelope:
        ping = Ping(vehicle_id=vehicle, time=now + timedelta(seconds=len(sent)), lat=52.5, lon=13.4)
        envelope = await publish(producer, ping, tenant=tenant, key=tenant)
        sent.append(envelope)
        return envelope

    async def handled() -> Counter[str]:
        return Counter(r["event_id"] for r in await direct.fetch("SELECT event_id FROM handled"))

    await runner.start()
    try:
        await send("before")
        await _until(lambda: _has(handled, 1), 30)
        await proxy.cut()
        for n in range(int(OUTAGE_S)):
            await send(poison if n == 5 else f"v{n}")
            await asyncio.sleep(1.0)
        await proxy.restore()
        restored = asyncio.get_running_loop().time()
        await send("after")
        valid = {e.id for e in sent if e.data.vehicle_id != poison}  # type: ignore[attr-defined]
        await _until(lambda: _has(handled, len(valid)), 60)
        caught_up = asyncio.get_running_loop().time() - restored
        dead = await _dead_letters(infra.kafka_bootstrap, tenant, until_poison=poison)
    finally:
        await runner.stop()
        await pool.close()
        await proxy.close()
        await direct.close()
    counts = await _counts(infra.database_url, schema)
    print(
        json.dumps({"events": len(sent), "valid": len(valid), "caught_up_s": round(caught_up, 2)})
    )
    assert set(counts) == valid
    assert set(counts.values()) == {1}, "an event was handled twice"
    assert [vehicle for vehicle, _ in dead] == [poison], "only the poison event is dead-lettered"
    assert dead[0][1] == str(MAX_ATTEMPTS)


async def _has(handled: object, count: int) -> bool:
    assert callable(handled)
    return len(await handled()) >= count


async def _until(check: object, timeout: float) -> None:
    assert callable(check)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def _counts(url: str, schema: str) -> Counter[str]:
    conn = await asyncpg.connect(url, server_settings={"search_path": schema})
    try:
        return Counter(r["event_id"] for r in await conn.fetch("SELECT event_id FROM handled"))
    finally:
        await conn.close()


async def _dead_letters(bootstrap: str, tenant: str, until_poison: str) -> list[tuple[str, str]]:
    """(vehicle id, attempts) of the tenant's dead letters, read until the poison one arrived
    and two seconds more."""
    consumer = AIOKafkaConsumer(
        dlt_of(GPS_PINGS),
        bootstrap_servers=bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: list[tuple[str, str]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    try:
        while loop.time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    headers = dict(record.headers or ())
                    if headers.get("ce_tenant") != tenant.encode():
                        continue
                    vehicle = Ping.model_validate_json(record.value or b"{}").vehicle_id
                    found.append((vehicle, headers[ATTEMPTS_HEADER].decode()))
            if any(vehicle == until_poison for vehicle, _ in found):
                deadline = min(deadline, loop.time() + 2)
    finally:
        await consumer.stop()
    return found
