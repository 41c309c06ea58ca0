"""Which partition a key lands on, as the producer's default partitioner puts it there."""

from __future__ import annotations

from aiokafka.partitioner import murmur2


def partition_for(key: str, partitions: int) -> int:
    """The partition of `key` among `partitions` (Kafka's murmur2, as Java and aiokafka do)."""
    hashed: int = murmur2(key.encode())
    return (hashed & 0x7FFFFFFF) % partitions
