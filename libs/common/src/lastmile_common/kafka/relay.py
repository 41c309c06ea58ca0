"""The one outbox relay: publishes outbox rows in order, marks them sent only after the broker
acknowledged them, and keeps retrying through a broker outage."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging

import asyncpg
from aiokafka import AIOKafkaProducer

from lastmile_common.db.outbox import decode_headers
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import continuing, stored_traceparent
from lastmile_common.kafka.retry import backoff_delay
from lastmile_common.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = logging.getLogger(__name__)
# How often a replica that does not relay asks for the lock: when the relaying replica stops
# (every rolling deploy stops it), its events wait at most this long for the next one.
FOLLOWER_RETRY_S = 0.5


class OutboxRelay:
    """Publishes one schema's outbox. Only the replica holding the schema's advisory lock
    publishes, so rows of one key never overtake each other across replicas."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        schema: str,
        *,
        batch_size: int = 500,
        poll_interval_s: float = 0.2,
        retention_hours: int = 24,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._schema = schema
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._retention_hours = retention_hours
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False
        self._lock_id = int.from_bytes(
            hashlib.sha256(f"outbox:{schema}".encode()).digest()[:7], "big"
        )

    async def start(self) -> None:
        """Start relaying in the background."""
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self._schema}")

    async def stop(self) -> None:
        """Finish the batch in flight and stop."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task

    @property
    def healthy(self) -> bool:
        """False once the relay task died."""
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                async with self._pool.acquire() as listener:
                    await self._lead(listener)
                failures = 0
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                failures += 1
                log.warning("outbox relay lost the database: %s", exc)
                await asyncio.sleep(backoff_delay(failures, 0.5, 10.0))

    async def _lead(self, listener: Connection) -> None:
        while not self._stopping.is_set():
            if await listener.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_id):
                break
            await self._sleep(FOLLOWER_RETRY_S)
        else:
            return
        self.is_leader = True
        channel = f"{self._schema}_outbox"
        await listener.add_listener(channel, self._notified)
        try:
            await self._publish_until_stopped()
        finally:
            self.is_leader = False
            await listener.remove_listener(channel, self._notified)
            await listener.execute("SELECT pg_advisory_unlock($1)", self._lock_id)

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _publish_until_stopped(self) -> None:
        failures = 0
        cleaned_at = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                published = await self.publish_batch()
                failures = 0
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                raise
            except Exception as exc:  # broker unreachable or timing out: nothing marked, retry
                failures += 1
                delay = backoff_delay(failures, 0.2, 5.0)
                log.warning("outbox publish failed (%s); retrying in %.1fs", exc, delay)
                await self._sleep(delay)
                continue
            if loop.time() - cleaned_at > 60:
                await self._clean_sent()
                cleaned_at = loop.time()
            if published < self._batch_size:
                await self._sleep(self._poll_interval_s * 10)

    async def publish_batch(self) -> int:
        """Publish up to one batch of unsent rows in id order; return how many were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, topic, key, value, headers FROM outbox WHERE sent_at IS NULL "
                "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            if not rows:
                OUTBOX_BACKLOG.labels(self._schema).set(0)
                return 0
            deliveries = []
            for row in rows:  # sent in id order: per partition the producer keeps that order
                headers = decode_headers(row["headers"])
                # The producer's instrumentation adds the traceparent of its send span, which
                # consumers read: that span continues the event's own trace, not a new one.
                with continuing(stored_traceparent(headers)):
                    deliveries.append(
                        await self._producer.send(
                            row["topic"], value=row["value"], key=row["key"], headers=headers
                        )
                    )
            await asyncio.gather(*deliveries)
            await conn.execute(
                "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])",
                [row["id"] for row in rows],
            )
            backlog = await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        OUTBOX_BACKLOG.labels(self._schema).set(backlog)
        OUTBOX_PUBLISHED.labels(self._schema).inc(len(rows))
        return len(rows)

    async def _clean_sent(self) -> None:
        await self._pool.execute(
            "DELETE FROM outbox WHERE sent_at < now() - make_interval(hours => $1)",
            self._retention_hours,
        )

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
