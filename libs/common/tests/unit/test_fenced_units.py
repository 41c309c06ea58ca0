"""A fenced event is the new owner's to handle: never counted as an attempt, never dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.pings import Ping
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.processing import EventProcessor, _Decoded
from lastmile_common.kafka.subscription import Fenced, Subscription
from lastmile_common.settings import ServiceSettings


class _StalledReplica(EventProcessor):
    """The whole batch fails for an event's sake; alone, each event then finds the fence."""

    def __init__(self) -> None:
        settings = ServiceSettings(
            kafka_bootstrap_servers="127.0.0.1:9",
            consumer_max_attempts=1,
            consumer_backoff_initial_s=0.001,
        )
        subscription = Subscription("c", (GPS_PINGS,), {"ping": _no_op})
        super().__init__(
            subscription,
            cast("asyncpg.Pool", None),
            cast("AIOKafkaProducer", None),
            settings.kafka(),
        )
        self.dead: list[str] = []

    async def _transaction(self, items: list[_Decoded]) -> None:
        if len(items) > 1:
            raise ValueError("one of the batch's events is bad")
        raise Fenced("a newer owner took the partition")

    async def _dead_letter(
        self, record: object, event_type: str, error: str, attempts: int
    ) -> None:
        self.dead.append(event_type)


async def _no_op(conn: object, envelope: Envelope) -> None:
    return None


def _record(offset: int) -> ConsumerRecord[bytes, bytes]:
    ping = Ping(vehicle_id="v1", time=datetime.now(UTC), lat=52.5, lon=13.4)
    encoded = encode(Envelope.wrap(ping, source="test", tenant="t"), "v1")
    return ConsumerRecord(
        GPS_PINGS, 0, offset, 0, 0, encoded.key, encoded.value, None, 0, 0, encoded.headers
    )


async def test_a_batch_failure_then_a_fence_dead_letters_nothing() -> None:
    processor = _StalledReplica()
    with pytest.raises(Fenced):
        await processor.process([_record(1), _record(2)])
    assert processor.dead == []
