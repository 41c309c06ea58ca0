"""Route events and a GPS trace on Kafka → stop.arrived, eta.updated; storage and recovery."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.events.topics import DELIVERIES, ETAS
from tracking.adapters.partitions import ensure_partition, partition_days
from tracking.adapters.recovery import recover
from tracking.service_layer.state import TrackingState
from tracking.simulation import planned_route, route_trace

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp
from lastmile.testing.fixtures import TopicReader, publish
from lastmile.testing.waiting import eventually

from .conftest import new_tenant

pytestmark = pytest.mark.integration


def as_ping(vehicle: str, fix) -> Ping:  # type: ignore[no-untyped-def]
    return Ping(
        vehicle_id=vehicle,
        time=fix.time,
        lat=fix.lat,
        lon=fix.lon,
        accuracy_m=fix.accuracy_m,
        speed_mps=fix.speed_mps,
    )


# size: one route driven start to end
async def test_route_and_trace_give_arrivals_and_etas(
    infra: Infrastructure, app: RunningApp, producer: AIOKafkaProducer
) -> None:
    tenant, _ = new_tenant()
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    route = planned_route(route_id, vehicle, start, stops=2)
    fixes = route_trace(route, start)
    async with (
        TopicReader(infra.kafka_bootstrap, DELIVERIES) as deliveries,
        TopicReader(infra.kafka_bootstrap, ETAS) as etas,
    ):
        await publish(producer, route, tenant=tenant, key=route.depot_id)
        await eventually(lambda: route_id in app.state.tracker.state.routes)
        # Half the trace one ping per event, the rest as batches (as phones send after a gap).
        half = len(fixes) // 2
        for fix in fixes[:half]:
            await publish(producer, as_ping(vehicle, fix), tenant=tenant, key=vehicle)
        rest = [as_ping(vehicle, f) for f in fixes[half:]]
        for i in range(0, len(rest), 20):
            batch = PingBatch(vehicle_id=vehicle, pings=tuple(rest[i : i + 20]))
            await publish(producer, batch, tenant=tenant, key=vehicle)
        arrived = await deliveries.wait_for(
            lambda e: e.tenant == tenant and e.type == "stop.arrived", count=2
        )
        seen: dict[str, object] = {}

        def both_orders(e) -> bool:  # type: ignore[no-untyped-def]
            if e.tenant == tenant:
                seen.setdefault(e.data.order_id, e)
            return len(seen) == 2

        await etas.wait_for(both_orders)
        told = list(seen.values())
        started = [
            e
            for e, _ in deliveries.records
            if e and e.tenant == tenant and e.type == "route.started"
        ]
    # Keyed by order: different partitions, so no order between the two.
    assert sorted(e.data.stop_id for e in arrived) == [f"{route_id}-s1", f"{route_id}-s2"]  # type: ignore[attr-defined]
    assert all(e.data.tracking_token for e in arrived)  # type: ignore[attr-defined]
    first = told[0].data  # type: ignore[attr-defined]
    assert first.route_id == route_id and first.window_start <= first.eta <= first.window_end  # type: ignore[attr-defined]
    assert {e.data.order_id for e in told} == {f"{route_id}-o1", f"{route_id}-o2"}  # type: ignore[attr-defined]
    assert len(started) == 1
    # Pings are stored in a daily partition; the state can be rebuilt from the database.
    writer = app.state.ping_writer
    await writer.flush()
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "tracking"})
    try:
        stored = await conn.fetchval(
            "SELECT count(*) FROM pings WHERE tenant_id = $1 AND vehicle_id = $2", tenant, vehicle
        )
        assert stored == len(fixes)
        state = TrackingState()
        await recover(conn, state, 86400)
        assert state.routes[route_id].stop(f"{route_id}-s1").arrived_at is not None  # type: ignore[union-attr]
        assert state.vehicles[(tenant, vehicle)].last.time == fixes[-1].time  # type: ignore[union-attr]
    finally:
        await conn.close()


async def test_old_partitions_are_dropped(infra: Infrastructure, app: RunningApp) -> None:
    old_day = datetime.now(UTC).date() - timedelta(days=45)
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "tracking"})
    try:
        await ensure_partition(conn, old_day)
        assert old_day in await partition_days(conn)
        dropped = await app.state.ping_writer.enforce_retention()
        assert f"pings_p{old_day:%Y%m%d}" in dropped
        assert old_day not in await partition_days(conn)
    finally:
        await conn.close()
