"""Side effects outside the consumer's transaction (buffered ping rows and positions, told ETAs,
live-stream messages) held while a batch runs, let out only once its fence check and writes
passed: a batch that rolls back (fenced: another replica owns its vehicles now; or failed, to
be retried one event at a time) leaves none of them behind to be added again by its retry."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix, Verdict
from tracking.service_layer.ports import PingSink, Stream

# Per task: the consumer's batch holds its own effects, never those of a concurrent request.
_HELD: ContextVar[list[Callable[[], None]] | None] = ContextVar("tracking_held", default=None)


def hold() -> None:
    """Hold this task's side effects from now on (a consumer batch begins)."""
    _HELD.set([])


def release() -> None:
    """Let the held side effects out, in order, and stop holding (the batch commits)."""
    held = _HELD.get()
    _HELD.set(None)
    for effect in held or ():
        effect()


def discard() -> int:
    """Forget the held side effects and stop holding (the batch rolled back); how many."""
    held = _HELD.get()
    _HELD.set(None)
    return len(held or ())


def _later(effect: Callable[[], None]) -> None:
    held = _HELD.get()
    if held is None:
        effect()
    else:
        held.append(effect)


class HeldSink:
    """A `PingSink` whose calls wait for the batch that made them (at once outside a batch)."""

    def __init__(self, sink: PingSink) -> None:
        self.inner = sink

    def add(
        self, tenant_id: str, vehicle_id: str, fix: Fix, received_at: datetime, verdict: Verdict
    ) -> None:
        """Queue one ping for storage."""
        _later(lambda: self.inner.add(tenant_id, vehicle_id, fix, received_at, verdict))

    def position(self, tenant_id: str, vehicle_id: str, fix: Fix) -> None:
        """Queue a vehicle's latest accepted position."""
        _later(lambda: self.inner.position(tenant_id, vehicle_id, fix))

    def told(self, tenant_id: str, order_id: str, told: Published) -> None:
        """Queue an ETA told to a customer."""
        _later(lambda: self.inner.told(tenant_id, order_id, told))


class HeldStream:
    """A `Stream` whose messages wait for the batch that made them (at once outside a batch)."""

    def __init__(self, stream: Stream) -> None:
        self.inner = stream

    def publish(self, tenant_id: str, kind: str, data: dict[str, Any]) -> None:
        """Send one message to a tenant's listeners."""
        _later(lambda: self.inner.publish(tenant_id, kind, data))
