"""The one consumer runner: fetch, process (see `processing`), commit offsets only after the
transaction commits; through a database or broker outage, pause the partitions and wait."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata

from lastmile_common.db.inbox import prune
from lastmile_common.db.pool import ACQUIRE_TIMEOUT_S
from lastmile_common.kafka.group_leave import close_consumer
from lastmile_common.kafka.group_settle import NO_MEMBERS, admin_client, group_state, settled
from lastmile_common.kafka.processing import (
    DependencyUnavailable,
    EventProcessor,
    Record,
    unavailable,
)
from lastmile_common.kafka.retry import backoff_delay
from lastmile_common.kafka.subscription import (
    Assignment,
    BatchHooks,
    Fenced,
    Handler,
    PermanentError,
    Subscription,
)
from lastmile_common.metrics import CONSUMER_LAG, CONSUMER_PAUSED
from lastmile_common.settings import KafkaSettings

__all__ = [
    "BatchHooks",
    "ConsumerRunner",
    "Handler",
    "PermanentError",
    "Subscription",
    "close_consumer",
]

log = logging.getLogger(__name__)
PRUNE_EVERY_S = 3600.0
FENCED_WAIT_S = 0.2  # polling again soon lets the dropped member learn it must rejoin
JOIN_WAIT_MAX_S = 30.0  # a group that never settles (a member crash-looping) is joined anyway
type Batches = dict[TopicPartition, list[Record]]


class ConsumerRunner:
    """Runs one subscription until stopped."""

    def __init__(
        self,
        subscription: Subscription,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        kafka: KafkaSettings,
    ) -> None:
        self.subscription = subscription
        self._pool = pool
        self._kafka = kafka
        self._processor = EventProcessor(subscription, pool, producer, kafka)
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._settling: asyncio.Task[bool] | None = None
        self._stopping = asyncio.Event()
        self._lock = asyncio.Lock()
        self._outage_waits = 0  # consecutive waits of the current outage (0: none)
        self._outage_started = 0.0

    @property
    def name(self) -> str:
        """The consumer group id."""
        return self.subscription.name

    async def start(self) -> None:
        """Join the group and start consuming in the background. A group with rebalance hooks
        is joined once it has settled, and if others were in it, `settled` turns true only
        once it has settled again after this join (readiness waits for it, so a rolling deploy
        stops the next old replica only after this join's pause was worked off)."""
        stateful = self.subscription.rebalance is not None and self._kafka.join_calm_s > 0
        alone = not stateful or await self._calm(before_joining=True)
        self._consumer = AIOKafkaConsumer(
            **self._kafka.client_options(),
            group_id=self.name,
            client_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._kafka.max_poll_records,
            heartbeat_interval_ms=self._kafka.heartbeat_interval_ms,
            session_timeout_ms=self._kafka.session_timeout_ms,
            # Range keeps partition N of every topic on one member; round robin spreads better.
            partition_assignment_strategy=(RangePartitionAssignor,)
            if self.subscription.co_partitioned
            else (RoundRobinPartitionAssignor,),
        )
        self._consumer.subscribe(list(self.subscription.topics), listener=_CommitOnRevoke(self))
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer:{self.name}")
        if not alone:
            self._settling = asyncio.create_task(self._calm(), name=f"settling:{self.name}")

    async def _calm(self, before_joining: bool = False) -> bool:
        """Wait until the group has settled; True when it had no members (or could not be
        described: nothing to wait for then)."""
        try:
            async with admin_client(self._kafka) as admin:
                if before_joining and await group_state(admin, self.name) in NO_MEMBERS:
                    return True
                await settled(
                    lambda: group_state(admin, self.name),
                    self._kafka.join_calm_s,
                    JOIN_WAIT_MAX_S,
                )
                return False
        except (KafkaError, OSError) as err:
            log.warning("could not describe group %s; not waiting for it: %s", self.name, err)
            return True

    @property
    def settled(self) -> bool:
        """False while the group still settles after this member joined it."""
        return self._settling is None or self._settling.done()

    async def stop(self) -> None:
        """Stop fetching, finish the batch in flight, commit, leave the group."""
        if self._settling is not None:
            self._settling.cancel()
        self._stopping.set()
        if self._task is not None:
            await self._task
        if self._consumer is not None:
            await close_consumer(self._consumer)

    @property
    def healthy(self) -> bool:
        """False once the consuming task died."""
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        assert self._consumer is not None
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while not self._stopping.is_set():
            batches: Batches = {}
            try:
                if loop.time() >= next_prune:
                    await self._prune_inbox()
                    next_prune = loop.time() + PRUNE_EVERY_S
                batches = await self._consumer.getmany(timeout_ms=200)
                if batches:
                    async with self._lock:
                        await self._processor.process([r for rs in batches.values() for r in rs])
                        await self._consumer.commit(
                            {
                                tp: OffsetAndMetadata(rs[-1].offset + 1, "")
                                for tp, rs in batches.items()
                            }
                        )
                self._recovered()
                self._report_lag()
            except asyncio.CancelledError:
                raise
            except Fenced as exc:
                # Another member owns these partitions now (this one was dropped from the group
                # while stalled): nothing was written; the rejoin revokes them, and until then
                # each fetch is fenced again.
                log.warning("batch fenced: %s", exc, extra={"consumer": self.name})
                await self._rewind_to_committed()
                await asyncio.sleep(FENCED_WAIT_S)
            except Exception as exc:
                if (outage := unavailable(exc)) is not None:
                    await self._wait_out(outage, batches)
                    continue
                # Nothing was committed for the failed batch: seek back so it is read again.
                log.exception("consumer loop failed; retrying", extra={"consumer": self.name})
                await self._rewind_to_committed()
                await asyncio.sleep(1.0)

    async def _wait_out(self, outage: DependencyUnavailable, batches: Batches) -> None:
        """Pause every partition, seek back to the failed fetch, back off, then resume.

        The dependency is shared by all partitions, so all wait. Polling goes on while paused
        (it returns nothing) so that the group does not take this member for dead.
        """
        assert self._consumer is not None
        consumer = self._consumer
        loop = asyncio.get_running_loop()
        self._outage_waits += 1
        if self._outage_waits == 1:
            self._outage_started = loop.time()
            log.warning(
                "dependency unavailable; pausing partitions until it is back: %s",
                outage,
                extra={"consumer": self.name, "dependency": outage.dependency},
            )
        CONSUMER_PAUSED.labels(self.name).set(1)
        consumer.pause(*consumer.assignment())
        for tp, records in batches.items():  # local offsets: the broker may be the one down
            if tp in consumer.assignment():
                consumer.seek(tp, records[0].offset)
        delay = backoff_delay(
            self._outage_waits, self._kafka.backoff_initial_s, self._kafka.backoff_max_s
        )
        deadline = loop.time() + delay
        while not self._stopping.is_set() and (left := deadline - loop.time()) > 0:
            consumer.pause(*consumer.assignment())  # partitions assigned meanwhile wait too
            try:
                await consumer.getmany(timeout_ms=max(1, int(min(left, 0.2) * 1000)))
            except Exception:
                await asyncio.sleep(min(left, 0.2))
        consumer.resume(*consumer.paused())

    def _recovered(self) -> None:
        if self._outage_waits:
            waited = asyncio.get_running_loop().time() - self._outage_started
            log.info(
                "dependency back after %.1fs; partitions resumed",
                waited,
                extra={"consumer": self.name},
            )
            self._outage_waits = 0
            CONSUMER_PAUSED.labels(self.name).set(0)

    async def _prune_inbox(self) -> None:
        async with self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
            pruned = await prune(conn, self.name, self._kafka.inbox_retention_hours)
        if pruned:
            log.info("pruned inbox", extra={"consumer": self.name, "rows": pruned})

    async def _rewind_to_committed(self) -> None:
        assert self._consumer is not None
        for tp in self._consumer.assignment():
            committed = await self._consumer.committed(tp)
            if committed is None:
                await self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, committed)

    def _report_lag(self) -> None:
        assert self._consumer is not None
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            try:
                position = self._consumer._fetcher._subscriptions.assignment[tp].position
            except (AttributeError, KeyError):
                continue
            if position is not None:
                CONSUMER_LAG.labels(self.name, tp.topic, str(tp.partition)).set(
                    highwater - position
                )

    async def on_revoked(self, revoked: set[TopicPartition]) -> None:
        """Wait for the batch in flight; its offsets are committed before the partitions go,
        then the service lets go of their state."""
        async with self._lock:
            log.info(
                "partitions revoked",
                extra={"consumer": self.name, "partitions": sorted(str(tp) for tp in revoked)},
            )
            if self.subscription.rebalance is not None:
                await self.subscription.rebalance.revoked(self._assignment(revoked))

    async def on_assigned(self, assigned: set[TopicPartition]) -> None:
        """The service takes up the state of its new partitions before their first fetch."""
        if self.subscription.rebalance is None:
            return
        async with self._lock:
            await self.subscription.rebalance.assigned(self._assignment(assigned))

    def _assignment(self, partitions: set[TopicPartition]) -> Assignment:
        assert self._consumer is not None
        counts = {}
        for topic in self.subscription.topics:
            known = self._consumer.partitions_for_topic(topic)
            if known:
                counts[topic] = len(known)
        return Assignment(frozenset((tp.topic, tp.partition) for tp in partitions), counts)


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: ConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._runner.on_revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self._runner.on_assigned(assigned)
