"""Synthetic fleets for the tracking benchmark: routes and pre-encoded ping records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from lastmile_common.events.envelope import Envelope, KafkaRecord, encode
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.events.routes import RoutePlanned
from lastmile_common.events.topics import ETAS, GPS_PINGS, ROUTES
from lastmile_common.routing import Point, Profile, Router
from tracking.domain.fixes import Fix
from tracking.simulation import offset, planned_route, route_trace

# On the embedded map (data/osm, Liechtenstein): depots near Balzers, routes up the Rhine valley.
MAP_DEPOT = (47.0665, 9.5030)


def fleet(tenant: str, vehicles: int, start: datetime, stops: int = 30) -> list[RoutePlanned]:
    """One route per vehicle on the map: 30 stops 450 m apart heading north, so that ETAs,
    off-route and shapes go through the road engine as in production."""
    routes = []
    for i in range(vehicles):
        depot = offset(*MAP_DEPOT, (i % 20) * 40.0, (i // 20) * 40.0)
        vid = f"{tenant[:6]}-v{i}"
        routes.append(
            planned_route(
                f"{vid}-r",
                vid,
                start,
                stops=stops,
                spacing_m=450.0,
                depot=depot,
                service_s=120,
                direction=(1.0, 0.0),
            )
        )
    return routes


def on_roads(routes: list[RoutePlanned], router: Router) -> list[RoutePlanned]:
    """The routes with the road geometry the planner sends with them (depot, stops, depot)."""
    out = []
    for r in routes:
        depot = Point(r.depot_location.lat, r.depot_location.lon)
        stops = [Point(s.location.lat, s.location.lon) for s in r.stops]
        path = router.route([depot, *stops, depot], r.start_time, Profile.CAR)
        out.append(r.model_copy(update={"geometry": path.polyline}))
    return out


def as_ping(vehicle: str, fix: Fix) -> Ping:
    """A contract ping of a fix."""
    return Ping(
        vehicle_id=vehicle,
        time=fix.time,
        lat=fix.lat,
        lon=fix.lon,
        accuracy_m=fix.accuracy_m,
        speed_mps=fix.speed_mps,
    )


def traces(
    routes: list[RoutePlanned], start: datetime, per_vehicle: int, every_s: float
) -> dict[str, list[Fix]]:
    """Each vehicle driving its route, cut to `per_vehicle` fixes."""
    return {
        r.vehicle_id: route_trace(r, start, dwell_s=120, every_s=every_s)[:per_vehicle]
        for r in routes
    }


def ping_records(tenant: str, fixes: dict[str, list[Fix]], batch: int) -> list[KafkaRecord]:
    """Encoded records, interleaved across vehicles; `batch` > 1 makes ping.batch events."""
    records: list[KafkaRecord] = []
    longest = max(len(v) for v in fixes.values())
    for offset_ in range(0, longest, batch):
        for vehicle, trace in fixes.items():
            chunk = [as_ping(vehicle, f) for f in trace[offset_ : offset_ + batch]]
            if not chunk:
                continue
            data = chunk[0] if batch == 1 else PingBatch(vehicle_id=vehicle, pings=tuple(chunk))
            envelope = Envelope.wrap(data, source="bench", tenant=tenant)
            records.append(encode(envelope, vehicle))
    return records


async def producer(bootstrap: str) -> AIOKafkaProducer:
    """A started producer that batches large (acks from all replicas)."""
    started = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, acks="all", max_batch_size=1024 * 1024
    )
    await started.start()
    return started


async def send_all(producer: AIOKafkaProducer, topic: str, records: list[KafkaRecord]) -> None:
    """Send records without waiting for each, then flush."""
    for record in records:
        await producer.send(topic, value=record.value, key=record.key, headers=record.headers)
    await producer.flush()


async def publish_routes(
    producer: AIOKafkaProducer, tenant: str, routes: list[RoutePlanned]
) -> None:
    """Put the fleet's routes on routes.v1."""
    records = [encode(Envelope.wrap(r, source="bench", tenant=tenant), r.depot_id) for r in routes]
    await send_all(producer, ROUTES, records)


async def live_fleet(
    bootstrap: str, tenant: str, vehicles: int, router: Router, stops: int = 30
) -> dict[str, tuple[float, float]]:
    """Publish a fleet starting now on the roads; each vehicle's depot (where it waits)."""
    start = datetime.now(UTC).replace(microsecond=0)
    routes = on_roads(fleet(tenant, vehicles, start, stops), router)
    started = await producer(bootstrap)
    try:
        await publish_routes(started, tenant, routes)
    finally:
        await started.stop()
    return {r.vehicle_id: (r.depot_location.lat, r.depot_location.lon) for r in routes}


async def eta_consumer(bootstrap: str, tenant: str) -> AIOKafkaConsumer:
    """A started consumer of the ETAs published from now on, in a group of its own."""
    consumer = AIOKafkaConsumer(
        ETAS, bootstrap_servers=bootstrap, group_id=f"bench-{tenant}", auto_offset_reset="latest"
    )
    await consumer.start()
    return consumer


def new_tenant() -> str:
    """A fresh tenant id."""
    return uuid.uuid4().hex


def hours_ago(hours: float) -> datetime:
    """A start time in the past, so traces stay behind the clock."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)


PINGS_TOPIC = GPS_PINGS
