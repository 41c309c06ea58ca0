"""The one way into the transactional outbox: `add(conn, events)`, in the transaction (or the
statement) that made the change."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope, encode

# An event to publish and its Kafka key.
Outgoing = tuple[Envelope, str]


@dataclass(frozen=True)
class Alongside:
    """A state change written in the same statement as the events (one round trip, atomic
    without BEGIN/COMMIT): its CTEs (without `WITH`), its final SELECT and their arguments."""

    ctes: str
    select: str
    args: Sequence[Any]
    # The name of one of the CTEs: the events are queued only if it returned a row.
    only_if: str | None = None


def _queue(first: int, only_if: str | None) -> str:
    # Rows keep the events' order (ORDER BY n), so the relay publishes them in that order.
    condition = f" WHERE EXISTS (SELECT FROM {only_if})" if only_if else ""
    p = [f"${first + i}" for i in range(4)]
    return (
        "INSERT INTO outbox (topic, key, value, headers)"
        " SELECT o.topic, o.key, o.value, o.headers::jsonb"
        f" FROM unnest({p[0]}::text[], {p[1]}::bytea[], {p[2]}::bytea[], {p[3]}::text[])"
        f" WITH ORDINALITY AS o(topic, key, value, headers, n){condition} ORDER BY o.n"
    )


def _columns(events: Sequence[Outgoing], topic: str | None = None) -> list[list[Any]]:
    topics: list[Any] = []
    keys: list[Any] = []
    values: list[Any] = []
    headers: list[Any] = []
    for envelope, key in events:
        record = encode(envelope, key)
        topics.append(topic or envelope.topic)
        keys.append(record.key)
        values.append(record.value)
        headers.append(json.dumps([[n, base64.b64encode(v).decode()] for n, v in record.headers]))
    return [topics, keys, values, headers]


async def add(
    conn: Connection,
    events: Sequence[Outgoing],
    alongside: Alongside | None = None,
    *,
    topic: str | None = None,
) -> list[Any]:
    """Queue events for publication, in one round trip; call inside the transaction that made
    the change, or pass that change as `alongside`. Returns the rows of its final SELECT.
    `topic` sends them to a service's internal topic instead of their type's (re-keying)."""
    if alongside is None:
        if events:
            await conn.execute(_queue(1, None), *_columns(events, topic))
        return []
    first = len(alongside.args) + 1
    statement = (
        f"WITH {alongside.ctes}, queued AS ({_queue(first, alongside.only_if)}) {alongside.select}"
    )
    return list(await conn.fetch(statement, *alongside.args, *_columns(events)))


def decode_headers(stored: list[list[str]]) -> list[tuple[str, bytes]]:
    """Headers as the relay hands them to the producer."""
    return [(name, base64.b64decode(value)) for name, value in stored]
