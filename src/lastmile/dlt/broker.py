"""Reading dead-letter topics, re-publishing to the source topic, and the replay ledger."""

from __future__ import annotations

import contextlib
import getpass
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from lastmile_common.kafka.consumer import close_consumer

from lastmile.dlt.letters import DeadLetter, dead_letter, source_of

# One record per replayed dead letter, keyed by its position: the broker keeps the ledger as
# long as it keeps the dead letters (and loses both together, as Tansu's memory storage does).
LEDGER_TOPIC = "lastmile.dlt.replays"
LEDGER_RETENTION_MS = 168 * 3600 * 1000


@dataclass(frozen=True)
class Replayed:
    """A ledger entry: which dead letter went back, when, by whom, and where it landed."""

    position: str
    event_id: str
    replayed_at: str
    by: str
    target: str


async def read_all(bootstrap: str, topic: str) -> list[tuple[int, int, Any]]:
    """Every record of `topic` from the beginning to its current end, without a group."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        if topic not in await consumer.topics():  # also refreshes the cluster metadata
            return []
        numbers = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(numbers)]
        if not assigned:
            return []
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        records: list[tuple[int, int, Any]] = []
        waiting = {tp for tp in assigned if ends[tp] > 0}
        while waiting:
            batches = await consumer.getmany(*waiting, timeout_ms=500)
            for tp, batch in batches.items():
                records.extend((tp.partition, r.offset, r) for r in batch)
            waiting = {tp for tp in waiting if await consumer.position(tp) < ends[tp]}
        return sorted(records, key=lambda item: (item[0], item[1]))
    finally:
        await close_consumer(consumer)


async def dead_letters(bootstrap: str, dlt_topic: str) -> list[DeadLetter]:
    """The dead letters of one `.dlt` topic, in partition and offset order."""
    return [
        dead_letter(dlt_topic, partition, offset, r.key, r.value, r.headers or ())
        for partition, offset, r in await read_all(bootstrap, dlt_topic)
    ]


async def ledger(bootstrap: str) -> dict[str, Replayed]:
    """What was replayed, by dead-letter position (the latest replay of each)."""
    entries = {}
    for _, _, record in await read_all(bootstrap, LEDGER_TOPIC):
        entry = Replayed(**json.loads(record.value))
        entries[entry.position] = entry
    return entries


def replayed(entries: dict[str, Replayed], letter: DeadLetter) -> Replayed | None:
    """The ledger entry of a dead letter (same position and event id), if it was replayed."""
    entry = entries.get(letter.position)
    return entry if entry is not None and entry.event_id == letter.event_id else None


async def _ensure_ledger(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if LEDGER_TOPIC not in set(await admin.list_topics()):
            topic = NewTopic(
                LEDGER_TOPIC, 1, 1, topic_configs={"retention.ms": str(LEDGER_RETENTION_MS)}
            )
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([topic])
    finally:
        await admin.close()


async def replay(bootstrap: str, letters: list[DeadLetter]) -> list[Replayed]:
    """Re-publish each dead letter to its source topic (same key, value and `ce_id`), then
    record it in the ledger; a letter is only recorded once the broker has its replay."""
    await _ensure_ledger(bootstrap)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    done = []
    try:
        for letter in letters:
            target_topic = letter.source[0] or source_of(letter.dlt_topic)
            meta = await producer.send_and_wait(
                target_topic, value=letter.value, key=letter.key, headers=letter.replay_headers()
            )
            entry = Replayed(
                position=letter.position,
                event_id=letter.event_id,
                replayed_at=datetime.now(UTC).isoformat(),
                by=getpass.getuser(),
                target=f"{meta.topic}/{meta.partition}/{meta.offset}",
            )
            await producer.send_and_wait(
                LEDGER_TOPIC,
                key=letter.position.encode(),
                value=json.dumps(entry.__dict__).encode(),
            )
            done.append(entry)
    finally:
        await producer.stop()
    return done
