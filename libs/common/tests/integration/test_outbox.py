"""The outbox's one entry point and the envelope's source and trace context, on PostgreSQL
(the `pool` on a fresh plumbing schema comes from conftest.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.db import outbox
from lastmile_common.events.envelope import Envelope, continuing, decode, service_source
from lastmile_common.events.pings import Ping
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.relay import OutboxRelay
from opentelemetry import trace
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.propagate import extract
from opentelemetry.sdk.trace import TracerProvider

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import TopicReader

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _ping(vehicle: str) -> Envelope:
    data = Ping(vehicle_id=vehicle, time=datetime.now(UTC), lat=52.5, lon=13.4)
    return Envelope.wrap(data, source=service_source("tracking"), tenant="t1", subject=vehicle)


async def _queued(pool: asyncpg.Pool) -> list[Envelope]:
    rows = await pool.fetch("SELECT topic, key, value, headers FROM outbox ORDER BY id")
    return [decode(outbox.decode_headers(r["headers"]), r["value"], r["key"]) for r in rows]


async def test_add_queues_events_in_order_as_the_relay_reads_them(pool: asyncpg.Pool) -> None:
    events = [(_ping(f"v{i}"), f"v{i}") for i in range(5)]
    async with pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, events)
        await outbox.add(conn, [])
    queued = await _queued(pool)
    assert [e.id for e in queued] == [e.id for e, _ in events]
    assert {e.source for e in queued} == {"/lastmile/tracking"}
    keys = await pool.fetch("SELECT topic, key FROM outbox ORDER BY id")
    assert [(r["topic"], r["key"]) for r in keys] == [
        ("gps.pings.v1", k.encode()) for _, k in events
    ]


async def test_alongside_writes_state_and_events_in_one_statement(pool: asyncpg.Pool) -> None:
    insert_once = outbox.Alongside(
        "made AS (INSERT INTO written (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1)",
        "SELECT count(*) AS made FROM made",
        ("a",),
        only_if="made",
    )
    async with pool.acquire() as conn:
        first = await outbox.add(conn, [(_ping("v1"), "v1")], insert_once)
        again = await outbox.add(conn, [(_ping("v2"), "v2")], insert_once)
    assert [r["made"] for r in first + again] == [1, 0]
    assert [e.subject for e in await _queued(pool)] == ["v1"]  # nothing made, nothing queued


def test_every_event_carries_a_trace_context() -> None:
    with trace.use_span(trace.get_current_span(extract({"traceparent": TRACEPARENT}))):
        inside = _ping("v1")
    outside, another = _ping("v1"), _ping("v1")
    assert inside.traceparent == TRACEPARENT  # the current trace continues
    assert outside.traceparent is not None and another.traceparent is not None
    ctx = trace.get_current_span(extract({"traceparent": outside.traceparent})).get_span_context()
    assert ctx.is_valid and ctx.trace_flags.sampled  # a new trace, one per event
    assert outside.traceparent.split("-")[1] != another.traceparent.split("-")[1]
    with continuing(TRACEPARENT):  # a stored trace made current again
        resumed = _ping("v1")
    with continuing(None):
        unrelated = _ping("v1")
    assert resumed.traceparent == TRACEPARENT
    assert unrelated.traceparent not in (None, TRACEPARENT)


async def test_the_relay_publishes_each_event_on_its_own_trace(
    infra: Infrastructure, pool: asyncpg.Pool, producer: AIOKafkaProducer, schema: str
) -> None:
    """As in a service: the producer instrumented, its send span's traceparent on the record.
    Consumers continue the trace of the request that queued the event, not one per publish."""
    with trace.use_span(trace.get_current_span(extract({"traceparent": TRACEPARENT}))):
        event = _ping(uuid.uuid4().hex)
    async with pool.acquire() as conn:
        await outbox.add(conn, [(event, event.subject or "")])
    instrumentor = AIOKafkaInstrumentor()
    instrumentor.instrument(tracer_provider=TracerProvider())
    try:
        assert await OutboxRelay(pool, producer, schema).publish_batch() == 1
    finally:
        instrumentor.uninstrument()
    async with TopicReader(infra.kafka_bootstrap, GPS_PINGS) as reader:
        await reader.wait_for(lambda e: e.id == event.id, timeout=30)
    [published] = [e for e, _ in reader.records if e is not None and e.id == event.id]
    assert published.traceparent is not None
    assert published.traceparent.split("-")[1] == TRACEPARENT.split("-")[1]
