"""The tracker on fakes: route events and traces in, contract events out."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lastmile_common.events.routes import RouteCancelled, RouteUpdated
from tracking.domain.route import RouteState, RouteStatus
from tracking.entrypoints.consumers import BatchWriter
from tracking.service_layer.completion import CompleteStop, StopAlreadyCompleted, complete_stop
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.route_changes import driver_break
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route, route_trace

from ...fakes import FakeSink, FakeStore, FakeStream

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def make() -> tuple[Tracker, FakeStore, FakeSink]:
    store, sink = FakeStore(), FakeSink()
    tracker = Tracker(TrackingState(), store, sink, FakeStream(), TrackerConfig())
    return tracker, store, sink


async def feed(tracker: Tracker, fixes: list[Any], vehicle: str = "v1") -> None:
    for fix in fixes:
        await tracker.pings(None, "t1", vehicle, [fix], fix.time + timedelta(seconds=1))


async def test_trace_produces_start_arrivals_and_etas() -> None:
    tracker, store, sink = make()
    event = planned_route("r1", "v1", T0, stops=3)
    await tracker.route_planned(None, "t1", event)
    await feed(tracker, route_trace(event, T0))
    started = store.of("route.started")
    assert len(started) == 1
    assert started[0][1] == "r1"
    assert all(s.tracking_token for s in started[0][0].stops)
    arrived = store.of("stop.arrived")
    assert [(d.stop_id, key) for d, key in arrived] == [
        ("r1-s1", "r1-o1"),
        ("r1-s2", "r1-o2"),
        ("r1-s3", "r1-o3"),
    ]
    etas = store.of("eta.updated")
    assert {key for _, key in etas} == {"r1-o1", "r1-o2", "r1-o3"}
    assert all(d.tracking_token for d, _ in etas)
    assert len(etas) < 40  # a 5-second trace of ~25 minutes would be hundreds without the policy
    assert len(sink.rows) == len(route_trace(event, T0))


async def test_pings_before_the_route_are_applied_when_it_arrives() -> None:
    tracker, store, _ = make()
    event = planned_route("r1", "v1", T0, stops=2)
    await feed(tracker, route_trace(event, T0, order=[1]))
    assert store.events == []
    await tracker.route_planned(None, "t1", event)
    assert [d.stop_id for d, _ in store.of("stop.arrived")] == ["r1-s1"]


async def test_older_route_versions_are_ignored_newer_replace() -> None:
    tracker, _, _ = make()
    v2 = RouteUpdated(**planned_route("r1", "v1", T0, stops=4, version=2).model_dump())
    await tracker.route_planned(None, "t1", v2)
    await tracker.route_planned(None, "t1", planned_route("r1", "v1", T0, stops=2, version=1))
    assert len(tracker.state.routes["r1"].stops) == 4
    await tracker.route_cancelled(
        None, "t1", RouteCancelled(route_id="r1", depot_id="d", version=1)
    )
    assert tracker.state.routes["r1"].status is RouteStatus.PLANNED
    await tracker.route_cancelled(
        None, "t1", RouteCancelled(route_id="r1", depot_id="d", version=2)
    )
    assert tracker.state.routes["r1"].status is RouteStatus.CANCELLED


async def test_tokens_survive_a_replan() -> None:
    tracker, _, _ = make()
    await tracker.route_planned(None, "t1", planned_route("r1", "v1", T0, stops=2))
    before = tracker.state.routes["r1"].stops[0].token
    v2 = RouteUpdated(**planned_route("r1", "v1", T0, stops=3, version=2).model_dump())
    await tracker.route_planned(None, "t1", v2)
    assert tracker.state.routes["r1"].stops[0].token == before


async def test_completion_publishes_delivery_and_route_completion() -> None:
    tracker, store, _ = make()
    event = planned_route("r1", "v1", T0, stops=2)
    await tracker.route_planned(None, "t1", event)
    await feed(tracker, route_trace(event, T0))
    s1 = event.stops[0].location
    far = await complete_stop(
        tracker,
        None,
        CompleteStop(
            "t1",
            "r1",
            "r1-s1",
            "delivered",
            T0 + timedelta(hours=1),
            photo_ref="p.jpg",
            recipient_name="Ann",
            lat=s1.lat + 0.01,
            lon=s1.lon,
        ),
    )
    assert far["flagged_far"] is True
    assert far["distance_from_address_m"] > 1000
    with pytest.raises(StopAlreadyCompleted):
        await complete_stop(tracker, None, CompleteStop("t1", "r1", "r1-s1", "failed", T0))
    done = await complete_stop(
        tracker,
        None,
        CompleteStop(
            "t1", "r1", "r1-s2", "failed", T0 + timedelta(hours=1), reason_code="nobody_home"
        ),
    )
    assert done["route_status"] == "completed"
    delivered = store.of("order.delivered")[0][0]
    assert delivered.proof.flagged_far
    assert delivered.proof.photo_ref == "p.jpg"
    assert store.of("order.delivery_failed")[0][0].reason_code == "nobody_home"
    completed = store.of("route.completed")[0]
    assert completed[1] == "r1"
    assert (completed[0].delivered, completed[0].failed) == (1, 1)
    assert completed[0].unserved_order_ids == ()


async def test_a_replan_that_reaches_a_finished_route_hands_its_new_stops_back() -> None:
    tracker, store, _ = make()
    await tracker.route_planned(None, "t1", planned_route("r1", "v1", T0, stops=1))
    await complete_stop(tracker, None, CompleteStop("t1", "r1", "r1-s1", "delivered", T0))
    v2 = RouteUpdated(**planned_route("r1", "v1", T0, stops=2, version=2).model_dump())
    await tracker.route_planned(None, "t1", v2)
    assert tracker.state.routes["r1"].status is RouteStatus.COMPLETED  # never reopened
    first, again = (data for data, _ in store.of("route.completed"))
    assert (first.route_version, first.unserved_order_ids) == (1, ())
    assert (again.route_version, again.unserved_order_ids) == (2, ("r1-o2",))
    assert (again.delivered, again.failed, again.completed_at) == (1, 0, first.completed_at)


async def test_eta_accuracy_is_measured_on_arrival() -> None:
    tracker, store, _ = make()
    event = planned_route("r1", "v1", T0, stops=3, spacing_m=12000, service_s=600)
    await tracker.route_planned(None, "t1", event)
    await feed(tracker, route_trace(event, T0, every_s=10, dwell_s=600, speed_mps=8 / 1.3))
    measured = {order: errors for order, errors in store.errors}
    assert 60 in measured["r1-o3"]
    assert 10 in measured["r1-o3"]
    assert all(abs(e) < 300 for e in measured["r1-o3"].values())


class FlakyStore(FakeStore):
    """Fails the first combined write, as a database error would."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_next = False

    async def save_routes_and_events(
        self, conn: Any, routes: list[Any], events: list[Any], read: Any = ()
    ) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("database went away")
        await super().save_routes_and_events(conn, routes, events, read)


async def test_a_failed_write_is_retried_without_losing_the_arrival() -> None:
    event = planned_route("r1", "v1", T0, stops=2)
    fixes = route_trace(event, T0, order=[1])
    probe, probe_store, _ = make()
    await probe.route_planned(None, "t1", event)
    arriving = None
    for index, fix in enumerate(fixes):
        await probe.pings(None, "t1", "v1", [fix], fix.time)
        if probe_store.of("stop.arrived"):
            arriving = index
            break
    assert arriving is not None
    store = FlakyStore()
    tracker = Tracker(TrackingState(), store, FakeSink(), FakeStream(), TrackerConfig())
    await tracker.route_planned(None, "t1", event)
    for index, fix in enumerate(fixes[: arriving + 5]):
        store.fail_next = index in (0, arriving)  # route start and arrival writes fail once
        try:
            await tracker.pings(None, "t1", "v1", [fix], fix.time)
        except ConnectionError:
            await tracker.pings(None, "t1", "v1", [fix], fix.time)  # the runner's retry
    assert [d.stop_id for d, _ in store.of("stop.arrived")] == ["r1-s1"]
    expected = probe_store.of("stop.arrived")[0][0].arrived_at
    assert store.of("stop.arrived")[0][0].arrived_at == expected
    assert len(store.of("route.started")) == 1
    sequences = [d.sequence for d, k in store.of("eta.updated") if k == "r1-o2"]
    assert sequences == sorted(set(sequences))


class CountingStore(FakeStore):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    async def save_routes_and_events(
        self, conn: Any, routes: list[Any], events: list[Any], read: Any = ()
    ) -> None:
        self.writes += 1
        await super().save_routes_and_events(conn, routes, events, read)


async def test_a_batch_writes_once_and_a_rolled_back_batch_is_replayed_exactly() -> None:
    event = planned_route("r1", "v1", T0, stops=2)
    fixes = route_trace(event, T0)
    probe, probe_store, _ = make()
    await probe.route_planned(None, "t1", event)
    await feed(probe, fixes)
    store = CountingStore()
    tracker = Tracker(TrackingState(), store, FakeSink(), FakeStream(), TrackerConfig())
    await tracker.route_planned(None, "t1", event)
    writer = BatchWriter(tracker)
    chunks = [fixes[i : i + 25] for i in range(0, len(fixes), 25)]
    for number, chunk in enumerate(chunks):
        attempts = [chunk] if number % 2 else [chunk, *[[fix] for fix in chunk]]
        for index, batch in enumerate(attempts):
            writer.begin()
            for fix in batch:
                await tracker.pings(
                    None, "t1", "v1", [fix], fix.time + timedelta(seconds=1), writer.batch
                )
            if number % 2 == 0 and index == 0:
                writer.rolled_back()  # the transaction failed: its events are retried one by one
                continue
            await writer.before_commit(None)  # type: ignore[arg-type]
    assert store.writes < len(fixes) / 4  # once per batch with something to write, not per ping
    for kind in ("route.started", "stop.arrived"):
        got = [(_untokened(d.model_dump()), k) for d, k in store.of(kind)]
        want = [(_untokened(d.model_dump()), k) for d, k in probe_store.of(kind)]
        assert got and got == want, kind
    assert len(store.of("eta.updated")) == len(probe_store.of("eta.updated"))


def _untokened(value: Any) -> Any:
    """An event's fields without the random tracking tokens (each tracker draws its own)."""
    if isinstance(value, dict):
        return {k: _untokened(v) for k, v in value.items() if k != "tracking_token"}
    if isinstance(value, list | tuple):
        return [_untokened(v) for v in value]
    return value


async def test_a_break_the_driver_starts_makes_the_etas_later_and_survives_a_reload() -> None:
    tracker, store, _ = make()
    event = planned_route("r1", "v1", T0, stops=3)
    await tracker.route_planned(None, "t1", event)
    trace = route_trace(event, T0, order=[1])
    await feed(tracker, trace)
    at = trace[-1].time
    assert all(d.eta < at + timedelta(minutes=25) for d, _ in store.of("eta.updated"))
    await driver_break(tracker, None, "t1", "r1", at, started=True)
    after = {d.order_id: d.eta for d, _ in store.of("eta.updated")}
    # Told at once: the stops still ahead come after the break's (unplanned) length.
    pause = timedelta(seconds=tracker.config.eta.unplanned_break_s)
    for order in ("r1-o2", "r1-o3"):
        assert after[order] > at + pause, order
    # The route's snapshot keeps the break (another replica reloading it sees the driver on it).
    assert RouteState.from_json(store.routes["r1"]).on_break_since == at
    await driver_break(tracker, None, "t1", "r1", at + timedelta(minutes=5), started=False)
    ended = RouteState.from_json(store.routes["r1"]).breaks_taken
    assert ended == ((at, at + timedelta(minutes=5)),)
