"""Dead letters as records, and which of them an operator's selection picks (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lastmile_common.events.topics import DLT_SUFFIX
from lastmile_common.kafka.dead_letter import (
    ATTEMPTS_HEADER,
    CONSUMER_HEADER,
    ERROR_HEADER,
    SOURCE_OFFSET_HEADER,
    SOURCE_PARTITION_HEADER,
    SOURCE_TOPIC_HEADER,
)

Headers = Sequence[tuple[str, bytes | None]]
# Added to a replayed record (not a `dlt.` header, so it survives a second dead-lettering).
REPLAYED_FROM_HEADER = "lastmile.replayed-from"


@dataclass(frozen=True)
class DeadLetter:
    """One record of a `<topic>.dlt`: where it sits, why it is there, and the original message."""

    dlt_topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    @property
    def position(self) -> str:
        """`topic/partition/offset` of this dead letter: what the ledger remembers."""
        return f"{self.dlt_topic}/{self.partition}/{self.offset}"

    def header(self, name: str) -> str:
        """A header as text ('' when absent)."""
        return next((v.decode(errors="replace") for k, v in self.headers if k == name), "")

    @property
    def event_id(self) -> str:
        """The CloudEvents id (`ce_id`), '' for a message that never was an event."""
        return self.header("ce_id")

    @property
    def event_type(self) -> str:
        """The CloudEvents type."""
        return self.header("ce_type")

    @property
    def consumer(self) -> str:
        """The consumer group that gave up on it."""
        return self.header(CONSUMER_HEADER)

    @property
    def error(self) -> str:
        """Why it was dead-lettered."""
        return self.header(ERROR_HEADER)

    @property
    def attempts(self) -> str:
        """How many times the consumer tried."""
        return self.header(ATTEMPTS_HEADER)

    @property
    def source(self) -> tuple[str, str, str]:
        """Topic, partition and offset it was read from."""
        return (
            self.header(SOURCE_TOPIC_HEADER) or source_of(self.dlt_topic),
            self.header(SOURCE_PARTITION_HEADER),
            self.header(SOURCE_OFFSET_HEADER),
        )

    def replay_headers(self) -> list[tuple[str, bytes]]:
        """The original headers (same `ce_id`, so inboxes dedupe) and where the replay came from."""
        kept = [
            (k, v)
            for k, v in self.headers
            if not k.startswith("dlt.") and k != REPLAYED_FROM_HEADER
        ]
        return [*kept, (REPLAYED_FROM_HEADER, self.position.encode())]


def dead_letter(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: Headers,
) -> DeadLetter:
    """A dead letter from a consumed record's parts."""
    kept = tuple((k, v) for k, v in headers if v is not None)
    return DeadLetter(topic, partition, offset, key, value or b"", kept)


def dlt_name(topic: str) -> str:
    """`orders.v1` or `orders.v1.dlt` → `orders.v1.dlt`."""
    return topic if topic.endswith(DLT_SUFFIX) else topic + DLT_SUFFIX


def source_of(dlt_topic: str) -> str:
    """`orders.v1.dlt` → `orders.v1`."""
    return dlt_topic.removesuffix(DLT_SUFFIX)


@dataclass(frozen=True)
class Selection:
    """What the operator picked; every given criterion must hold. Empty picks nothing."""

    consumer: str | None = None
    partition: int | None = None
    first_offset: int | None = None
    last_offset: int | None = None
    event_ids: frozenset[str] = frozenset()
    everything: bool = False

    @property
    def empty(self) -> bool:
        """No criterion and no --all: a replay must say what it replays."""
        return not self.everything and (
            self.consumer is None
            and self.partition is None
            and self.first_offset is None
            and self.last_offset is None
            and not self.event_ids
        )

    def picks(self, letter: DeadLetter) -> bool:
        """True if this dead letter is selected."""
        if self.empty:
            return False
        return (
            (self.consumer is None or letter.consumer == self.consumer)
            and (self.partition is None or letter.partition == self.partition)
            and (self.first_offset is None or letter.offset >= self.first_offset)
            and (self.last_offset is None or letter.offset <= self.last_offset)
            and (not self.event_ids or letter.event_id in self.event_ids)
        )


def offset_range(text: str) -> tuple[int, int]:
    """`12-40` → (12, 40); `12` → (12, 12)."""
    first, _, last = text.partition("-")
    low, high = int(first), int(last or first)
    if low < 0 or high < low:
        raise ValueError(f"not an offset range: {text!r}")
    return low, high
