"""The fence's rule: a batch may commit only while every epoch its replica holds is current."""

from __future__ import annotations

from tracking.adapters.ownership import stale_partitions


def test_epochs_still_current_fence_nothing() -> None:
    assert stale_partitions({0: 3, 5: 1}, {0: 3, 5: 1, 7: 9}) == set()


def test_a_partition_another_replica_took_since_is_stale() -> None:
    assert stale_partitions({0: 3, 5: 1}, {0: 4, 5: 1}) == {0}


def test_a_partition_without_a_current_epoch_is_stale() -> None:
    assert stale_partitions({2: 1}, {}) == {2}


def test_no_partitions_held_nothing_to_fence() -> None:
    assert stale_partitions({}, {1: 1}) == set()
