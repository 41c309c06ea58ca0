"""A batch that met another writer's change runs again whole, at once, and event by event if it
keeps conflicting: a conflict is never an attempt toward the dead-letter topic."""

from __future__ import annotations

from typing import cast

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.processing import CONFLICT_RUNS, EventProcessor, _Decoded
from lastmile_common.kafka.subscription import Conflict, Subscription
from lastmile_common.settings import ServiceSettings

from .test_fenced_units import _no_op, _record  # one fetch's ping records, a no-op handler


class _Contended(EventProcessor):
    """Each transaction of the whole batch conflicts `conflicts` times, then commits."""

    def __init__(self, conflicts: int) -> None:
        settings = ServiceSettings(
            kafka_bootstrap_servers="127.0.0.1:9",
            consumer_max_attempts=2,
            consumer_backoff_initial_s=0.001,
            consumer_backoff_max_s=0.002,
        )
        subscription = Subscription("c", (GPS_PINGS,), {"ping": _no_op})
        super().__init__(
            subscription,
            cast("asyncpg.Pool", None),
            cast("AIOKafkaProducer", None),
            settings.kafka(),
        )
        self.conflicts = conflicts
        self.runs: list[int] = []  # the size of each transaction tried
        self.dead: list[str] = []

    async def _transaction(self, items: list[_Decoded]) -> None:
        self.runs.append(len(items))
        if self.conflicts:
            self.conflicts -= 1
            raise Conflict("another writer changed a route the batch read")

    async def _dead_letter(
        self, record: object, event_type: str, error: str, attempts: int
    ) -> None:
        self.dead.append(event_type)


async def test_a_conflicting_batch_runs_again_whole() -> None:
    processor = _Contended(conflicts=1)
    await processor.process([_record(1), _record(2), _record(3)])
    assert processor.runs == [3, 3]
    assert processor.dead == []


async def test_a_batch_that_keeps_conflicting_goes_event_by_event() -> None:
    processor = _Contended(conflicts=CONFLICT_RUNS)
    await processor.process([_record(1), _record(2)])
    assert processor.runs == [2] * CONFLICT_RUNS + [1, 1]
    assert processor.dead == []


async def test_conflicts_are_never_attempts_toward_the_dead_letter_topic() -> None:
    processor = _Contended(conflicts=CONFLICT_RUNS + 20)  # max_attempts is 2
    await processor.process([_record(1), _record(2)])
    assert processor.runs[-2:] == [1, 1]  # both committed in the end
    assert processor.dead == []
