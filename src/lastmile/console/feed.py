"""Reads the platform's topics with a consumer group of its own and hands each event on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from lastmile_common.events import topics
from lastmile_common.events.envelope import Envelope, decode
from lastmile_common.kafka.consumer import close_consumer

log = logging.getLogger(__name__)

TOPICS = (
    topics.ORDERS,
    topics.ROUTES,
    topics.DELIVERIES,
    topics.ETAS,
    topics.NOTIFICATIONS,
    topics.GPS_PINGS,
)


class EventFeed:
    """A background reader of the platform's topics, from the beginning, never committing.

    Each reader has its own consumer group, so it sees every event whatever other readers do;
    it keeps no offsets because its state lives in memory and is rebuilt from the topics.
    """

    def __init__(
        self, bootstrap: str, on_event: Callable[[Envelope], None], *, name: str = "console"
    ) -> None:
        self._bootstrap = bootstrap
        self._group = f"lastmile-{name}-{uuid.uuid4().hex[:8]}"
        self._consumer: AIOKafkaConsumer | None = None
        self._on_event = on_event
        self._task: asyncio.Task[None] | None = None
        self.events = 0

    async def start(self) -> None:
        """Join and start reading in the background."""
        # aiokafka binds to the running loop, so the consumer is made here, not in __init__.
        self._consumer = AIOKafkaConsumer(
            *TOPICS,
            bootstrap_servers=self._bootstrap,
            group_id=self._group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await self._consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=2000)
            for records in batches.values():
                for record in records:
                    try:
                        envelope = decode(record.headers or [], record.value, record.key)
                    except ValueError:
                        continue  # not ours to judge: the owner's consumer dead-letters it
                    try:
                        self._on_event(envelope)
                    except Exception:
                        log.exception("event %s (%s) not applied", envelope.id, envelope.type)
                    self.events += 1

    async def stop(self) -> None:
        """Stop reading and leave the group."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await close_consumer(self._consumer)
