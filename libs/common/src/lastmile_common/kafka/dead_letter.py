"""Dead-letter records: the original message plus why, how often and where it failed."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from lastmile_common.events.topics import dlt_of
from lastmile_common.metrics import DLT_MESSAGES

ERROR_HEADER = "dlt.error"
ATTEMPTS_HEADER = "dlt.attempts"
CONSUMER_HEADER = "dlt.consumer"
SOURCE_TOPIC_HEADER = "dlt.source.topic"
SOURCE_PARTITION_HEADER = "dlt.source.partition"
SOURCE_OFFSET_HEADER = "dlt.source.offset"


async def send_to_dlt(
    producer: AIOKafkaProducer,
    consumer: str,
    record: ConsumerRecord[bytes, bytes],
    error: str,
    attempts: int,
) -> None:
    """Publish a copy of `record` to its topic's DLT and wait until the broker has it."""
    headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlt.")]
    headers += [
        (ERROR_HEADER, error[:2000].encode()),
        (ATTEMPTS_HEADER, str(attempts).encode()),
        (CONSUMER_HEADER, consumer.encode()),
        (SOURCE_TOPIC_HEADER, record.topic.encode()),
        (SOURCE_PARTITION_HEADER, str(record.partition).encode()),
        (SOURCE_OFFSET_HEADER, str(record.offset).encode()),
    ]
    await producer.send_and_wait(
        dlt_of(record.topic), value=record.value or b"", key=record.key, headers=headers
    )
    DLT_MESSAGES.labels(consumer, record.topic).inc()
