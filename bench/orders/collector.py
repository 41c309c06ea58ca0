"""Reads orders.v1 from its beginning and notes when each `order.created` became readable."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict

from aiokafka import AIOKafkaConsumer
from lastmile_common.events.topics import ORDERS


class CreatedCollector:
    """Arrival time (perf_counter) of every order.created, per tenant and order id.

    Only the CloudEvents headers are read (type, tenant, subject): decoding every body with
    pydantic would spend the load generator's share of the 2 cores on the measurement itself."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(
            ORDERS,
            bootstrap_servers=bootstrap,
            group_id=f"bench-orders-{uuid.uuid4().hex}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=20,
        )
        self.arrivals: dict[str, dict[str, float]] = defaultdict(dict)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start reading in the background."""
        await self._consumer.start()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _run(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=50, max_records=5000)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    headers = dict(record.headers or ())
                    if headers.get("ce_type") != b"order.created":
                        continue
                    tenant = headers.get("ce_tenant", b"").decode()
                    subject = headers.get("ce_subject", b"").decode()
                    self.arrivals[tenant].setdefault(subject, now)

    async def wait(self, tenant: str, count: int, timeout: float) -> bool:
        """Wait until `count` orders of a tenant were seen; False on timeout."""
        deadline = time.perf_counter() + timeout
        while len(self.arrivals[tenant]) < count:
            if time.perf_counter() > deadline:
                return False
            await asyncio.sleep(0.005)
        return True
