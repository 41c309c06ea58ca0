"""The tracker learns the day: a slow driver's later ETAs stretch, arrivals measure the error."""

from datetime import UTC, datetime, timedelta

from tracking.service_layer.completion import CompleteStop, complete_stop
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.learning import learn_arrival
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route, route_trace

from ...fakes import FakeSink, FakeStore, FakeStream

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def _day(speed_mps: float) -> tuple[Tracker, FakeStore]:
    """A van driving stops 1-4 of 8 at a speed, completing each stop as it leaves."""
    store = FakeStore()
    tracker = Tracker(TrackingState(), store, FakeSink(), FakeStream(), TrackerConfig())
    event = planned_route("r1", "v1", T0, stops=8)
    await tracker.route_planned(None, "t1", event)
    route = tracker.state.routes["r1"]
    for fix in route_trace(event, T0, order=[1, 2, 3, 4], speed_mps=speed_mps, dwell_s=120):
        here = route.at_stop
        await tracker.pings(None, "t1", "v1", [fix], fix.time + timedelta(seconds=1))
        if here is not None and route.at_stop is None:
            await complete_stop(
                tracker, None, CompleteStop("t1", "r1", here, "delivered", fix.time)
            )
    return tracker, store


def _last_eta(store: FakeStore, order_id: str) -> datetime:
    return [d.eta for d, key in store.of("eta.updated") if key == order_id][-1]


async def test_a_slow_driver_is_told_later_etas_and_arrivals_measure_the_error() -> None:
    slow, slow_events = await _day(8.0 / 1.3 / 1.5)
    _, kept_events = await _day(8.0 / 1.3)
    # Both told from the same place (stop 4): the slow van's last stop is later by its pace.
    gap = _last_eta(slow_events, "r1-o8") - _last_eta(kept_events, "r1-o8")
    assert gap > timedelta(minutes=3)
    book = slow.state.errors["depot-1"]
    assert sum(len(errors) for errors in book.errors.values()) >= 4


async def test_an_arrival_seen_again_counts_its_errors_once() -> None:
    tracker, _ = await _day(8.0 / 1.3 / 1.5)
    book = tracker.state.errors["depot-1"]
    counted = sum(len(errors) for errors in book.errors.values())
    route = tracker.state.routes["r1"]
    arrived = next(s for s in route.stops if s.arrived_at is not None)
    assert arrived.arrived_at is not None
    # As when a batch holding the arrival is processed again after its write failed.
    learn_arrival(tracker.state, TrackerConfig(), route, arrived.order_id, arrived.arrived_at)
    assert sum(len(errors) for errors in book.errors.values()) == counted
