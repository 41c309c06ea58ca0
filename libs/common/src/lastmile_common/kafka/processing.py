"""One fetch's events through the inbox transaction: the whole fetch at once, else each event
alone with bounded retries, then the dead-letter topic. A dependency outage is never the
event's fault: it propagates (as `DependencyUnavailable`) for the runner to wait out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from opentelemetry import trace
from opentelemetry.propagate import extract

from lastmile_common.db.inbox import claim
from lastmile_common.db.pool import ACQUIRE_TIMEOUT_S, Connection
from lastmile_common.events.envelope import Envelope, UndecodableEvent, decode
from lastmile_common.kafka.dead_letter import send_to_dlt
from lastmile_common.kafka.retry import backoff_delay
from lastmile_common.kafka.subscription import Conflict, Fenced, PermanentError, Subscription
from lastmile_common.metrics import EVENTS_PROCESSED, HANDLER_SECONDS
from lastmile_common.outage import unavailable_dependency
from lastmile_common.settings import KafkaSettings

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
# Handlers that only compute (their writes wait for `before_commit`) never give the event loop
# back: a fetch of 500 pings held it for seconds, and the process's heartbeats (how soon its
# group rebalances), outbox relay and SIGTERM handling waited for the whole batch.
YIELD_EVERY_S = 0.02
# A batch that met another writer's change (`Conflict`) runs again at once this many times
# before its events go one by one.
CONFLICT_RUNS = 3

type Record = "ConsumerRecord[bytes, bytes]"


class DependencyUnavailable(Exception):
    """The database or the broker cannot serve now; `dependency` says which."""

    def __init__(self, dependency: str, cause: BaseException) -> None:
        super().__init__(f"{dependency} unavailable: {type(cause).__name__}: {cause}")
        self.dependency = dependency


def unavailable(exc: BaseException) -> DependencyUnavailable | None:
    """`exc` as a DependencyUnavailable if it is an outage (and not a PermanentError)."""
    if isinstance(exc, DependencyUnavailable):
        return exc
    if isinstance(exc, PermanentError):
        return None
    dependency = unavailable_dependency(exc)
    return None if dependency is None else DependencyUnavailable(dependency, exc)


@dataclass
class _Decoded:
    record: Record
    envelope: Envelope


@dataclass
class EventProcessor:
    """Processes the records of one fetch for one subscription."""

    subscription: Subscription
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    kafka: KafkaSettings

    @property
    def name(self) -> str:
        """The consumer group id."""
        return self.subscription.name

    async def process(self, records: list[Record]) -> None:
        """Every record of one fetch (all partitions) in one transaction, per-partition order
        kept; if it fails for the events' sake, each event alone with retries."""
        decoded: list[_Decoded] = []
        for record in records:
            try:
                envelope = decode(record.headers or [], record.value, record.key)
            except UndecodableEvent as exc:
                await self._dead_letter(record, "undecodable", str(exc), attempts=1)
                continue
            if envelope.type in self.subscription.handlers:
                decoded.append(_Decoded(record, envelope))
        if not decoded:
            return
        try:
            await self._handle_batch_again_on_conflict(decoded)
        except Fenced:
            raise  # not the events' fault: one by one they would be fenced (or dead-lettered)
        except Exception as exc:
            if (outage := unavailable(exc)) is not None:
                raise outage from exc
            log.warning(
                "batch failed; processing its events one by one",
                extra={"consumer": self.name},
                exc_info=True,
            )
            for item in decoded:
                await self._handle_with_retries(item)

    async def _transaction(self, items: list[_Decoded]) -> None:
        """Claim the events in the inbox, run their handlers and the batch hooks, COMMIT."""
        hooks = self.subscription.hooks
        async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
            if hooks is not None:
                hooks.begin()
            try:
                async with conn.transaction():
                    new_ids = await claim(conn, self.name, list({i.envelope.id for i in items}))
                    yielded = time.perf_counter()
                    for item in items:
                        if item.envelope.id not in new_ids:
                            continue
                        new_ids.discard(item.envelope.id)  # a duplicate in the batch counts once
                        await self._call_handler(conn, item.envelope)
                        if time.perf_counter() - yielded > YIELD_EVERY_S:
                            await asyncio.sleep(0)  # the rest of the process runs a moment
                            yielded = time.perf_counter()
                    if hooks is not None:
                        await hooks.before_commit(conn)
            except BaseException:
                if hooks is not None:
                    hooks.rolled_back()
                raise

    async def _handle_batch_again_on_conflict(self, items: list[_Decoded]) -> None:
        for run in range(1, CONFLICT_RUNS + 1):
            try:
                await self._handle_batch(items)
                return
            except Conflict as exc:
                if run == CONFLICT_RUNS:
                    raise
                log.info(
                    "batch conflicted, running it again: %s", exc, extra={"consumer": self.name}
                )

    async def _handle_batch(self, items: list[_Decoded]) -> None:
        started = time.perf_counter()
        await self._transaction(items)
        elapsed = (time.perf_counter() - started) / len(items)
        # One label look-up per event type, not per event: it showed in the ping path's profile.
        for event_type, count in Counter(i.envelope.type for i in items).items():
            seconds = HANDLER_SECONDS.labels(self.name, event_type)
            for _ in range(count):
                seconds.observe(elapsed)
            EVENTS_PROCESSED.labels(self.name, event_type, "ok").inc(count)

    async def _handle_with_retries(self, item: _Decoded) -> None:
        """Only the event's own failures count toward `max_attempts`."""
        attempt, conflicts = 0, 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                await self._transaction([item])
                HANDLER_SECONDS.labels(self.name, item.envelope.type).observe(
                    time.perf_counter() - started
                )
                EVENTS_PROCESSED.labels(self.name, item.envelope.type, "ok").inc()
                return
            except Fenced:
                raise  # another member owns the event now: never an attempt, never dead-lettered
            except Conflict as exc:
                # Another writer's change, never the event's fault: again on the new state.
                attempt, conflicts = attempt - 1, conflicts + 1
                log.warning(
                    "event conflicted %d times: %s", conflicts, exc, extra={"consumer": self.name}
                )
                await asyncio.sleep(
                    backoff_delay(conflicts, self.kafka.backoff_initial_s, self.kafka.backoff_max_s)
                )
            except Exception as exc:
                if (outage := unavailable(exc)) is not None:
                    raise outage from exc
                if isinstance(exc, PermanentError) or attempt >= self.kafka.max_attempts:
                    log.error(
                        "event failed %d times; dead-lettering",
                        attempt,
                        extra={"consumer": self.name, "event_id": item.envelope.id},
                    )
                    error = f"{type(exc).__name__}: {exc}"
                    await self._dead_letter(item.record, item.envelope.type, error, attempt)
                    return
                await asyncio.sleep(
                    backoff_delay(attempt, self.kafka.backoff_initial_s, self.kafka.backoff_max_s)
                )

    async def _dead_letter(
        self, record: Record, event_type: str, error: str, attempts: int
    ) -> None:
        try:
            await send_to_dlt(self.producer, self.name, record, error, attempts=attempts)
        except Exception as exc:
            if (outage := unavailable(exc)) is not None:
                raise outage from exc
            raise
        EVENTS_PROCESSED.labels(self.name, event_type, "dead_letter").inc()

    async def _call_handler(self, conn: Connection, envelope: Envelope) -> None:
        carrier = {"traceparent": envelope.traceparent} if envelope.traceparent else {}
        with tracer.start_as_current_span(
            f"consume {envelope.type}", context=extract(carrier), kind=trace.SpanKind.CONSUMER
        ) as span:
            span.set_attribute("messaging.consumer.group.name", self.name)
            span.set_attribute("cloudevents.event_id", envelope.id)
            await self.subscription.handlers[envelope.type](conn, envelope)
