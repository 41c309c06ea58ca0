"""Wait until a consumer has processed everything before a marker event on the same key.

Events with one key share a partition and the runner handles a partition in order, so once the
consumer's inbox holds the marker, every earlier event on that key has been processed: a test
can then assert that something did *not* happen, without sleeping and hoping.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope

from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually


@dataclass(frozen=True)
class Inbox:
    """One consumer group's inbox in a service's schema."""

    database_url: str
    schema: str
    consumer: str

    async def holds(self, event_id: str) -> bool:
        """Whether the consumer recorded `event_id` as processed (its transaction committed)."""
        conn = await asyncpg.connect(self.database_url)
        try:
            found = await conn.fetchval(
                f"SELECT true FROM {self.schema}.inbox WHERE consumer = $1 AND event_id = $2",
                self.consumer,
                event_id,
            )
        finally:
            await conn.close()
        return bool(found)

    async def wait_for(self, event_id: str, *, timeout: float = 30.0) -> None:
        """Wait until the consumer has processed `event_id`."""
        await eventually(
            lambda: self.holds(event_id),
            timeout=timeout,
            interval=0.05,
            what=f"{self.consumer} processed {event_id}",
        )


async def drain(
    producer: AIOKafkaProducer,
    inbox: Inbox,
    marker: EventData,
    *,
    key: str,
    tenant: str,
    timeout: float = 30.0,
) -> Envelope:
    """Publish `marker` (an event the consumer handles, harmlessly) on `key` and wait until the
    consumer's inbox holds it: everything published on `key` before it has been processed."""
    envelope = await publish(producer, marker, tenant=tenant, key=key)
    await inbox.wait_for(envelope.id, timeout=timeout)
    return envelope
