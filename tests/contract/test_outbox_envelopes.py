"""Every service's outbox rows say who wrote them (`ce_source` /lastmile/<service>) and carry a
W3C traceparent, which continues the trace of the event that caused them.

Each service runs in-process on the session's broker and database and is driven through its
public interfaces (HTTP and Kafka); the test then reads the rows its relay publishes from."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from lastmile_common.api_keys import issue
from lastmile_common.db.outbox import decode_headers
from lastmile_common.events.envelope import Envelope, decode, service_source, trace_context
from lastmile_common.events.orders import OrderSubmitted
from lastmile_common.events.topics import INTERNAL_TOPICS
from lastmile_common.settings import ServiceSettings
from opentelemetry import trace
from opentelemetry.propagate import extract

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import running_app
from lastmile.testing.fixtures import publish
from lastmile.testing.waiting import eventually

SECRET = "dev-api-key-secret-change-me"
VADUZ = {"lat": 47.1410, "lon": 9.5215}


def _settings[S: ServiceSettings](cls: type[S], infra: Infrastructure, **extra: object) -> S:
    return cls(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_backoff_initial_s=0.05,
        consumer_max_attempts=3,
        outbox_poll_interval_s=0.05,
        **extra,  # type: ignore[arg-type]
    )


@contextmanager
def _trace() -> Iterator[int]:
    """Run the block inside a new trace (as an upstream service would); yield its trace id."""
    span = trace.get_current_span(extract({"traceparent": trace_context()}))
    with trace.use_span(span):
        yield span.get_span_context().trace_id


def _trace_id(envelope: Envelope) -> int:
    assert envelope.traceparent, f"{envelope.type} has no traceparent"
    context = trace.get_current_span(extract({"traceparent": envelope.traceparent}))
    span_context = context.get_span_context()
    assert span_context.is_valid, f"{envelope.type}: invalid traceparent {envelope.traceparent}"
    return span_context.trace_id


async def _outbox(
    infra: Infrastructure,
    service: str,
    tenant: str,
    done: Callable[[list[Envelope]], bool],
    timeout: float = 60.0,
) -> list[Envelope]:
    """The tenant's events in a service's outbox, once `done(events)` holds. Not those queued
    for an internal topic: re-keyed copies of another service's events, kept as they came."""
    conn = await asyncpg.connect(infra.database_url)
    internal = [spec.name for spec in INTERNAL_TOPICS]

    async def written() -> list[Envelope] | None:
        rows = await conn.fetch(
            f"SELECT key, value, headers FROM {service}.outbox"
            " WHERE topic <> ALL($1::text[]) ORDER BY id",
            internal,
        )
        decoded = [
            decode(decode_headers(json.loads(r["headers"])), r["value"], r["key"]) for r in rows
        ]
        events = [e for e in decoded if e.tenant == tenant]
        return events if done(events) else None

    try:
        return await eventually(written, timeout=timeout, interval=0.2, what=f"{service} events")
    finally:
        await conn.close()


def _has(*types: str) -> Callable[[list[Envelope]], bool]:
    return lambda events: set(types) <= {e.type for e in events}


def _all_from(service: str, events: list[Envelope]) -> None:
    for envelope in events:
        assert envelope.source == service_source(service) == f"/lastmile/{service}"
        _trace_id(envelope)


async def test_orders_events_continue_the_submitters_trace(
    infra: Infrastructure, producer: AIOKafkaProducer
) -> None:
    from orders.adapters.tenants import create_tenant
    from orders.bootstrap import create_app
    from orders.settings import OrdersSettings

    async with running_app(create_app(_settings(OrdersSettings, infra))):
        conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": "orders"})
        try:
            tenant, _ = await create_tenant(conn, "contract", SECRET)
        finally:
            await conn.close()
        start = datetime.now(UTC) + timedelta(days=1)
        submitted = OrderSubmitted.model_validate(
            {
                "external_id": f"E-{uuid.uuid4().hex[:8]}",
                "depot_id": "d1",
                "recipient": {"name": "Ada", "phone": "+4915112345678"},
                "address": {
                    "line1": "Städtle 1",
                    "city": "Vaduz",
                    "country": "LI",
                    "location": VADUZ,  # on the embedded map: orders elsewhere are refused
                },
                "windows": [{"start": start, "end": start + timedelta(hours=3)}],
                "items": [{"sku": "A", "quantity": 1, "weight_kg": 1.5}],
            }
        )
        with _trace() as upstream:
            await publish(producer, submitted, tenant=tenant, key=submitted.external_id)
        events = await _outbox(infra, "orders", tenant, _has("order.created"))
    _all_from("orders", events)
    assert [_trace_id(e) for e in events] == [upstream]


async def test_planner_events_carry_a_trace(infra: Infrastructure) -> None:
    from planner.bootstrap import create_app
    from planner.settings import PlannerSettings

    tenant = f"t{uuid.uuid4().hex[:12]}"
    auth = {"Authorization": f"Bearer {issue(SECRET, tenant).raw}"}
    depot = {
        "id": "mitte",
        "name": "Mitte",
        "location": VADUZ,
        "time_zone": "Europe/Vaduz",
        "opening_hours": {"start": "06:00", "end": "21:00"},
        "loading_time_min": 10,
        "cutoff_times": ["05:00"],
    }
    settings = _settings(PlannerSettings, infra, cutoffs_enabled=False, solver_time_limit_s=1.0)
    async with running_app(create_app(settings)) as planner:
        depot_added = await planner.client.post("/v1/depots", json=depot, headers=auth)
        assert depot_added.status_code == 201
        plan = {"depot_id": "mitte", "service_date": "2030-05-06", "preview": False}
        answer = await planner.client.post("/v1/plans", json=plan, headers=auth)
        assert answer.status_code in (200, 201), answer.text
        events = await _outbox(infra, "planner", tenant, _has("plan.completed"))
    _all_from("planner", events)


async def test_tracking_events_continue_the_trace_of_the_pings(
    infra: Infrastructure, producer: AIOKafkaProducer
) -> None:
    from tracking.bootstrap import create_app
    from tracking.settings import TrackingSettings
    from tracking.simulation import planned_route, route_trace

    tenant = f"t{uuid.uuid4().hex[:12]}"
    auth = {"Authorization": f"Bearer {issue(SECRET, tenant).raw}"}
    vehicle, route_id = f"v-{uuid.uuid4().hex[:8]}", f"r-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    route = planned_route(route_id, vehicle, start, stops=1)
    app = create_app(_settings(TrackingSettings, infra, ping_flush_interval_s=0.1))
    async with running_app(app) as tracking:
        client = tracking.client
        device = await client.post("/v1/devices", json={"vehicle_id": vehicle}, headers=auth)
        token = {"Authorization": f"Bearer {device.json()['device_token']}"}
        await publish(producer, route, tenant=tenant, key=route.depot_id)
        # Joining the shared tracking-routes group can wait out a rebalance or two late in a
        # full suite run: the route arrives after the group settles.
        await eventually(
            lambda: route_id in tracking.state.tracker.state.routes, timeout=90, what="route"
        )
        pings = [
            {"time": f.time.isoformat(), "lat": f.lat, "lon": f.lon, "accuracy_m": 5.0}
            for f in route_trace(route, start)
        ]
        # The phone's request starts the trace: its ping.batch, then what tracking derives.
        answer = await client.post("/v1/pings", json={"pings": pings}, headers=token)
        assert answer.status_code == 200, answer.text
        events = await _outbox(
            infra, "tracking", tenant, _has("ping.batch", "route.started", "stop.arrived")
        )
    _all_from("tracking", events)
    (batch,) = [e for e in events if e.type == "ping.batch"]
    assert {_trace_id(e) for e in events} == {_trace_id(batch)}


async def test_notifier_events_continue_the_trace_of_what_caused_them(
    infra: Infrastructure, producer: AIOKafkaProducer
) -> None:
    from notifier.bootstrap import create_app
    from notifier.settings import NotifierSettings
    from notifier.testing import events as ev

    tenant = f"t{uuid.uuid4().hex[:12]}"
    settings = _settings(NotifierSettings, infra, dispatch_poll_interval_s=0.05)
    async with running_app(create_app(settings)):
        order = ev.order_created(f"o-{uuid.uuid4().hex[:8]}")
        with _trace() as upstream:
            await publish(producer, order, tenant=tenant, key=order.order_id)
        # Sent later by the dispatcher: the trace is stored with each notification.
        events = await _outbox(
            infra, "notifier", tenant, lambda es: len([e for e in es if "sent" in e.type]) >= 2
        )
    _all_from("notifier", events)
    assert {_trace_id(e) for e in events} == {upstream}
