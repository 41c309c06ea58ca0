"""A tracking replica SIGSTOPped mid-stream past the session timeout: the group gives its
partitions to the other, which carries on; resumed, the stalled one is fenced (its batch in
flight rolls back) and rejoins. Every arrival and route start is emitted exactly once."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections import Counter

from lastmile_common.events.topics import DELIVERIES

from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import TopicReader, publish

from .test_tracking_replicas import (
    VEHICLES,
    arrivals_once,
    drive,
    fleet,
    of,
    routes_driven,
    routes_saved,
)

STALL_S = 12.0  # twice tracking's 6 s session timeout: the group drops the stalled replica


async def test_a_stalled_replica_resumed_after_its_partitions_moved_emits_nothing_twice(
    own_infra: Infrastructure,
) -> None:
    tenant = uuid.uuid4().hex
    routes, traces = routes_driven()
    async with (
        fleet(own_infra, 2) as (producer, replicas),
        TopicReader(own_infra.kafka_bootstrap, DELIVERIES) as deliveries,
    ):
        for route in routes:
            await publish(producer, route, tenant=tenant, key=route.depot_id)
        await routes_saved(own_infra, tenant, VEHICLES)
        third = min(len(t) for t in traces.values()) // 3
        await drive(producer, tenant, traces, slice(0, third))
        stalled = replicas.running[0]
        rest = asyncio.create_task(drive(producer, tenant, traces, slice(third, None)))
        await asyncio.sleep(0.3)  # mid-stream: most likely inside a batch
        stalled.send_signal(signal.SIGSTOP)
        await asyncio.sleep(STALL_S)
        stalled.send_signal(signal.SIGCONT)
        await rest
        want = 2 * VEHICLES
        await deliveries.wait_for(
            lambda e: e.tenant == tenant and e.type == "stop.arrived", count=want, timeout=120
        )
        await deliveries.wait_for(lambda e: False, timeout=8)  # a duplicate would come now
    arrivals_once(deliveries, tenant, want)
    starts = Counter(e.data.route_id for e in of(deliveries, tenant, "route.started"))  # type: ignore[attr-defined]
    assert set(starts.values()) == {1}, f"a route started twice: {starts}"
