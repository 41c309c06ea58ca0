"""The one way services build their Kafka producer."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from lastmile_common.settings import KafkaSettings


def make_producer(kafka: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for all replicas; idempotence follows the setting (off for Tansu)."""
    return AIOKafkaProducer(
        **kafka.client_options(),
        client_id=client_id,
        acks="all",
        enable_idempotence=kafka.idempotent_producer,
        linger_ms=kafka.linger_ms,
        request_timeout_ms=kafka.request_timeout_ms,
        max_batch_size=1024 * 1024,
    )
