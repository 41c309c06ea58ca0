"""`partition_for` puts a key where the producer's default partitioner sends it."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from lastmile_common.kafka.partitioning import partition_for


def test_partition_for_matches_the_producers_partitioner() -> None:
    partitioner = DefaultPartitioner()
    for count in (1, 6, 12, 64):
        every = list(range(count))
        for n in range(500):
            key = f"van-{n}"
            assert partition_for(key, count) == partitioner(key.encode(), every, every)
