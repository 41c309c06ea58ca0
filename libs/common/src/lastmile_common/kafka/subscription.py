"""What a service declares to consume: a group, its topics, a handler per event type, hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope

Handler = Callable[[Connection, Envelope], Awaitable[None]]


class PermanentError(Exception):
    """Raised by a handler for an event that can never succeed: dead-lettered without retries."""


class Fenced(Exception):
    """Raised by batch hooks when another member took the batch's partitions: the transaction
    rolls back and the runner reads them again from the committed offsets (never dead-lettered)."""


class Conflict(Exception):
    """Raised in a batch when another writer changed state the batch had read (optimistic
    concurrency): the transaction rolls back and the batch runs again at once, on the new state;
    not the events' fault (a batch that keeps conflicting goes event by event)."""


class BatchHooks(Protocol):
    """Lets handlers defer their writes to the end of the runner's transaction.

    `begin` opens a batch, `before_commit` writes what its handlers gathered on the batch's
    connection just before COMMIT (raising `Fenced` if this member no longer owns the batch), and `rolled_back` undoes in-memory state of a batch whose
    transaction did not commit (its events are then retried one by one, each a batch of its own).
    """

    def begin(self) -> None: ...

    async def before_commit(self, conn: Connection) -> None: ...

    def rolled_back(self) -> None: ...


@dataclass(frozen=True)
class Assignment:
    """Partitions a rebalance gave or took, with the partition count of each subscribed topic."""

    partitions: frozenset[tuple[str, int]]
    counts: Mapping[str, int] = field(default_factory=dict)

    def of(self, topic: str) -> set[int]:
        """The partition numbers of one topic."""
        return {p for t, p in self.partitions if t == topic}


class RebalanceHooks(Protocol):
    """Lets a service keep state per partition: `assigned` runs before the first fetch of the
    new partitions, `revoked` after the batch in flight committed and before they go."""

    async def assigned(self, assignment: Assignment) -> None: ...

    async def revoked(self, assignment: Assignment) -> None: ...


@dataclass(frozen=True)
class Subscription:
    """A consumer group: its name, the topics it reads, and a handler per event type.

    A handler's only effects go through the connection it is given, inside the runner's
    transaction (directly, or gathered and written by `hooks.before_commit`); events of types
    without a handler are skipped (other consumers want them).

    `co_partitioned`: its topics have equal partition counts and keys, and partition N of each
    goes to the same member (range assignment), so state keyed like them lives in one member.
    """

    name: str
    topics: tuple[str, ...]
    handlers: Mapping[str, Handler]
    hooks: BatchHooks | None = None
    co_partitioned: bool = False
    rebalance: RebalanceHooks | None = None
