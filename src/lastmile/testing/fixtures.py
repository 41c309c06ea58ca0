"""Session-scoped real infrastructure and helpers to publish and read events in tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope, decode, encode

from lastmile.infra.platform import Infrastructure, start_infrastructure

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    """The real broker and database for the whole test session (embedded unless configured)."""
    # One folder per session, so concurrent test runs never share (or delete) a database.
    state = ROOT / ".lastmile" / f"test-{os.getpid()}"
    infrastructure = start_infrastructure(state, fresh_database=True)
    yield infrastructure
    infrastructure.stop()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
async def producer(infra: Infrastructure) -> AsyncIterator[AIOKafkaProducer]:
    """A plain producer for tests that publish events or raw (poison) messages."""
    client = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await client.start()
    yield client
    await client.stop()


async def publish(
    producer: AIOKafkaProducer, data: EventData, *, tenant: str, key: str, source: str = "tests"
) -> Envelope:
    """Publish one event in CloudEvents binary mode and return its envelope."""
    envelope = Envelope.wrap(data, source=source, tenant=tenant)
    record = encode(envelope, key)
    await producer.send_and_wait(
        envelope.topic, value=record.value, key=record.key, headers=record.headers
    )
    return envelope


class TopicReader:
    """Reads a topic from its beginning with a throw-away group, for assertions."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._bootstrap = bootstrap
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=f"test-{uuid.uuid4().hex}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.records: list[tuple[Envelope | None, object]] = []

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._consumer.stop()

    async def wait_for(
        self, predicate: object, *, count: int = 1, timeout: float = 30.0
    ) -> list[Envelope]:
        """Collect decoded envelopes matching `predicate(envelope)` until `count` arrived."""
        assert callable(predicate)
        found: list[Envelope] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found) < count and loop.time() < deadline:
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    try:
                        envelope = decode(record.headers or [], record.value, record.key)
                    except ValueError:
                        self.records.append((None, record))
                        continue
                    self.records.append((envelope, record))
                    if predicate(envelope):
                        found.append(envelope)
        return found

    async def read_through(self, marker: EventData, *, key: str, timeout: float = 30.0) -> None:
        """Publish `marker` on `key` and read until it arrives: a partition is read in order, so
        every record published on `key` before it has been read too (to assert that nothing
        more came, without sleeping and hoping). The marker's tenant is one of its own."""
        producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, acks="all")
        await producer.start()
        try:
            envelope = await publish(producer, marker, tenant=f"marker-{uuid.uuid4().hex}", key=key)
        finally:
            await producer.stop()
        seen = await self.wait_for(lambda e: e.id == envelope.id, timeout=timeout)
        assert seen, f"marker {envelope.id} on {key!r} not read within {timeout}s"

    async def raw(self, predicate: object, *, timeout: float = 30.0) -> list[object]:
        """Collect raw records (e.g. dead letters) matching `predicate(record)`."""
        assert callable(predicate)
        found: list[object] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not found and loop.time() < deadline:
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                found.extend(r for r in records if predicate(r))
        return found
