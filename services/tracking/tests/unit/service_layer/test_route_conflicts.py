"""Two writers of one route (the vehicle's owner, a driver's change answered elsewhere): a
write from an older copy is refused, and what runs again builds on the stored route, with the
live state as it was before the refused run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lastmile_common.events.routes import RouteUpdated
from tracking.entrypoints.consumers import BatchWriter
from tracking.service_layer.completion import CompleteStop, complete_stop
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.ports import RouteChanged
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route, route_trace

from ...fakes import FakeSink, FakeStore, FakeStream

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def replica(store: FakeStore) -> Tracker:
    return Tracker(TrackingState(), store, FakeSink(), FakeStream(), TrackerConfig())


async def driving(stops: int = 3) -> tuple[Tracker, FakeStore, list[Any]]:
    """The owner of a started route, committed after the first ten fixes of its trace."""
    store = FakeStore()
    owner = replica(store)
    event = planned_route("r1", "v1", T0, stops=stops)
    await owner.route_planned(None, "t1", event)
    trace = route_trace(event, T0)
    for fix in trace[:10]:
        await owner.pings(None, "t1", "v1", [fix], fix.time + timedelta(seconds=1))
    return owner, store, trace


async def completed_elsewhere(store: FakeStore, stop: str = "r1-s3") -> None:
    """Another replica's completion, committed: the stored revision moves on."""
    cmd = CompleteStop("t1", "r1", stop, "delivered", T0 + timedelta(hours=2))
    await complete_stop(replica(store), None, cmd)


async def run(owner: Tracker, writer: BatchWriter, fixes: list[Any]) -> None:
    writer.begin()
    for fix in fixes:
        await owner.pings(None, "t1", "v1", [fix], fix.time + timedelta(seconds=1), writer.batch)
    await writer.before_commit(None)  # type: ignore[arg-type]


async def test_a_replan_refused_runs_again_on_the_stored_route() -> None:
    owner, store, _ = await driving()
    await completed_elsewhere(store)
    writer = BatchWriter(owner)
    v2 = RouteUpdated(**planned_route("r1", "v1", T0, stops=3, version=2).model_dump())
    for attempt in range(2):
        writer.begin()
        await owner.route_planned(None, "t1", v2, writer.batch)
        try:
            await writer.before_commit(None)  # type: ignore[arg-type]
        except RouteChanged:
            assert attempt == 0
            writer.rolled_back()
    stored = await store.load_route(None, "r1")
    assert stored is not None and stored.version == 2
    assert stored.stop("r1-s3").status.value == "delivered"  # the completion kept


async def test_a_batch_telling_etas_from_an_older_copy_is_refused_and_its_clocks_put_back() -> None:
    owner, store, trace = await driving()
    clocks = dict(owner.state.last_eta_at), dict(owner.state.last_route_check)
    told = len(store.of("eta.updated"))
    far = [replace(trace[9], time=trace[9].time + timedelta(minutes=10))]  # still, ETAs due
    await completed_elsewhere(store)
    writer = BatchWriter(owner)
    with pytest.raises(RouteChanged):
        await run(owner, writer, far)  # no progress: ETAs only, from the older copy
    writer.rolled_back()
    assert (dict(owner.state.last_eta_at), dict(owner.state.last_route_check)) == clocks
    assert len(store.of("eta.updated")) == told
    await run(owner, writer, far)  # again: reloaded, the delivered stop is told no ETA
    etas = [d for d, _ in store.of("eta.updated")[told:]]
    assert etas and all(d.order_id != "r1-o3" for d in etas)


async def test_a_failed_completion_never_marks_the_owners_route_stale() -> None:
    owner, store, _ = await driving()

    async def broken(*_: Any, **__: Any) -> None:
        raise ConnectionError("database went away")

    store.save_routes_and_events = broken  # type: ignore[method-assign]
    cmd = CompleteStop("t1", "r1", "r1-s3", "delivered", T0 + timedelta(hours=2))
    owner.state.between_batches()
    with pytest.raises(ConnectionError):
        await complete_stop(owner, None, cmd)
    assert "r1" not in owner.state.stale  # a reload now would drop a batch's progress


async def test_a_route_moved_to_another_vehicle_leaves_the_first() -> None:
    owner, _, trace = await driving()
    moved = planned_route("r1", "v2", T0, stops=3, version=2)
    await owner.route_planned(None, "t1", RouteUpdated(**moved.model_dump()))
    first = owner.state.vehicle("t1", "v1")
    assert "r1" not in first.route_ids
    assert owner.state.current_route(first, trace[10].time, 0) is None
