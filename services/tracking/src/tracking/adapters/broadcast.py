"""In-process fan-out of live messages to dispatchers' streams, per tenant."""

from __future__ import annotations

import asyncio
from typing import Any

QUEUE_SIZE = 1000


class Broadcaster:
    """The `Stream` port: each listener has a bounded queue; a slow one loses its oldest messages."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[tuple[str, dict[str, Any]]]]] = {}

    def subscribe(self, tenant_id: str) -> asyncio.Queue[tuple[str, dict[str, Any]]]:
        """A new listener's queue."""
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(QUEUE_SIZE)
        self._listeners.setdefault(tenant_id, set()).add(queue)
        return queue

    def unsubscribe(self, tenant_id: str, queue: asyncio.Queue[tuple[str, dict[str, Any]]]) -> None:
        """Forget a listener."""
        listeners = self._listeners.get(tenant_id)
        if listeners is not None:
            listeners.discard(queue)
            if not listeners:
                del self._listeners[tenant_id]

    def publish(self, tenant_id: str, kind: str, data: dict[str, Any]) -> None:
        """Send a message to every listener of the tenant (never blocks)."""
        for queue in self._listeners.get(tenant_id, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait((kind, data))
