"""Writing events into the transactional outbox, in the same transaction as the state change."""

from __future__ import annotations

import base64

from lastmile_common.db.pool import Connection
from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.telemetry import current_traceparent

NOTIFY_CHANNEL_SUFFIX = "_outbox"
_INSERT = "INSERT INTO outbox (topic, key, value, headers) VALUES ($1, $2, $3, $4)"


OutboxRow = tuple[str, bytes | None, bytes, list[list[str]]]


def outbox_row(envelope: Envelope, key: str) -> OutboxRow:
    """The (topic, key, value, headers) an outbox row stores; headers as base64 pairs."""
    record = encode(envelope, key)
    headers = [[name, base64.b64encode(value).decode()] for name, value in record.headers]
    return envelope.topic, record.key, record.value, headers


async def add_to_outbox(conn: Connection, envelope: Envelope, key: str) -> None:
    """Queue an event for publication; call inside the transaction that made the change."""
    await conn.execute(
        _INSERT,
        *outbox_row(envelope, key),
    )


async def add_many_to_outbox(conn: Connection, events: list[tuple[Envelope, str]]) -> None:
    """Queue several events at once (one round trip)."""
    await conn.executemany(
        _INSERT,
        [outbox_row(envelope, key) for envelope, key in events],
    )


async def publish_event(
    conn: Connection,
    data: EventData,
    *,
    source: str,
    tenant: str,
    key: str,
    subject: str | None = None,
) -> None:
    """Wrap event data in an envelope carrying the current trace and queue it in the outbox."""
    await conn.execute(
        _INSERT,
        *event_row(data, source=source, tenant=tenant, key=key, subject=subject),
    )


def event_row(
    data: EventData, *, source: str, tenant: str, key: str, subject: str | None = None
) -> OutboxRow:
    """The outbox row of event data in an envelope carrying the current trace (for callers
    that insert it as part of a larger statement)."""
    envelope = Envelope.wrap(
        data, source=source, tenant=tenant, subject=subject, traceparent=current_traceparent()
    )
    return outbox_row(envelope, key)


def decode_headers(stored: list[list[str]]) -> list[tuple[str, bytes]]:
    """Headers as the relay hands them to the producer."""
    return [(name, base64.b64decode(value)) for name, value in stored]
