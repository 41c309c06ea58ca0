"""A consumer batch holding seconds of every vehicle's pings (a catch-up after a rebalance):
every ping judged in order, ETAs told once per vehicle from its newest ping."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tracking.domain.eta_policy import PublishPolicy
from tracking.entrypoints.consumers import BatchWriter
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route, route_trace

from ...fakes import FakeSink, FakeStore, FakeStream
from .test_tracker import _untokened

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
# Every ping's ETAs due and told, whatever they changed by: what the rolling-restart bench runs.
EVERY_PING = TrackerConfig(eta_recompute_s=0, policy=PublishPolicy(threshold_s=0, min_interval_s=0))
CHUNK = 30  # pings of each vehicle per batch


async def _tracker() -> tuple[Tracker, FakeStore, dict[str, list[Any]]]:
    store = FakeStore()
    tracker = Tracker(TrackingState(), store, FakeSink(), FakeStream(), EVERY_PING)
    traces = {}
    for number, direction in ((1, (0.0, 1.0)), (2, (1.0, 0.0))):
        event = planned_route(f"r{number}", f"v{number}", T0, stops=3, direction=direction)
        await tracker.route_planned(None, "t1", event)
        traces[f"v{number}"] = route_trace(event, T0)
    return tracker, store, traces


def _interleaved(chunks: dict[str, list[Any]]) -> list[tuple[str, Any]]:
    """The vehicles' pings one after the other, as a fetch of several partitions holds them."""
    longest = max(len(chunk) for chunk in chunks.values())
    return [(v, chunk[i]) for i in range(longest) for v, chunk in chunks.items() if i < len(chunk)]


async def test_a_batch_tells_each_vehicle_s_etas_once_from_its_newest_ping() -> None:
    probe, probe_store, traces = await _tracker()
    for vehicle, fix in _interleaved(traces):
        await probe.pings(None, "t1", vehicle, [fix], fix.time + timedelta(seconds=1))
    tracker, store, _ = await _tracker()
    writer = BatchWriter(tracker)
    longest = max(len(fixes) for fixes in traces.values())
    for first in range(0, longest, CHUNK):
        writer.begin()
        told_before = len(store.of("eta.updated"))
        chunks = {v: fixes[first : first + CHUNK] for v, fixes in traces.items()}
        for vehicle, fix in _interleaved(chunks):
            received = fix.time + timedelta(seconds=1)
            await tracker.pings(None, "t1", vehicle, [fix], received, writer.batch)
        await writer.before_commit(None)  # type: ignore[arg-type]
        told = store.of("eta.updated")[told_before:]
        for vehicle, chunk in chunks.items():
            times = {d.computed_at for d, _ in told if d.vehicle_id == vehicle}
            started = [
                d.started_at for d, _ in store.of("route.started") if d.vehicle_id == vehicle
            ]
            # The newest ping's ETAs, and the route start's (told with route.started) if any.
            assert times <= {chunk[-1].time, *started} if chunk else not times, vehicle
    for kind in ("route.started", "stop.arrived"):
        got = sorted(str(_untokened(d.model_dump())) for d, _ in store.of(kind))
        want = sorted(str(_untokened(d.model_dump())) for d, _ in probe_store.of(kind))
        assert got and got == want, kind
    assert len(store.of("eta.updated")) < len(probe_store.of("eta.updated")) / 5
