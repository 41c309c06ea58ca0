"""The tracker learns the day: a slow driver's later ETAs stretch, arrivals measure the error."""

from datetime import UTC, datetime, timedelta

from tracking.domain.route import RouteState, route_from_event
from tracking.service_layer.completion import CompleteStop, complete_stop
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.learning import errors_of, learn_arrival, pace_of
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route, route_trace

from ...fakes import FakeSink, FakeStore, FakeStream
from ..domain.test_pace_history import driven

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def _day(speed_mps: float) -> tuple[Tracker, FakeStore]:
    """A van driving stops 1-4 of 8 at a speed, completing each stop as it leaves."""
    store = FakeStore()
    tracker = Tracker(TrackingState(), store, FakeSink(), FakeStream(), TrackerConfig())
    event = planned_route("r1", "v1", T0, stops=8)
    await tracker.route_planned(None, "t1", event)
    for fix in route_trace(event, T0, order=[1, 2, 3, 4], speed_mps=speed_mps, dwell_s=120):
        here = tracker.state.routes["r1"].at_stop
        await tracker.pings(None, "t1", "v1", [fix], fix.time + timedelta(seconds=1))
        if here is not None and tracker.state.routes["r1"].at_stop is None:
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
    book = errors_of(slow.state, TrackerConfig(), slow.state.routes["r1"])
    assert sum(len(errors) for errors in book.errors.values()) >= 4


async def test_an_arrival_seen_again_counts_its_errors_once() -> None:
    tracker, _ = await _day(8.0 / 1.3 / 1.5)
    book = errors_of(tracker.state, TrackerConfig(), tracker.state.routes["r1"])
    counted = sum(len(errors) for errors in book.errors.values())
    route = tracker.state.routes["r1"]
    arrived = next(s for s in route.stops if s.arrived_at is not None)
    assert arrived.arrived_at is not None
    # As when a batch holding the arrival is processed again after its write failed.
    learn_arrival(tracker.state, TrackerConfig(), route, arrived.order_id, arrived.arrived_at)
    assert sum(len(errors) for errors in book.errors.values()) == counted


def _kept(*routes: RouteState) -> TrackingState:
    state = TrackingState()
    for route in routes:
        state.add_route(route)
    return state


async def test_a_vans_pace_of_yesterday_is_not_its_pace_today_but_the_fleets_is() -> None:
    yesterday = T0 - timedelta(days=1)
    state = _kept(
        driven("y1", yesterday, 8.0 / 1.3 / 1.4, [1, 2, 3, 4, 5], vehicle="v1"),
        driven("y2", yesterday, 8.0 / 1.3, [1, 2, 3, 4, 5], vehicle="v2"),
        route_from_event("t", planned_route("today", "v1", T0, stops=6), {}),
    )
    pace = pace_of(state, TrackerConfig(), state.routes["today"], T0)
    # Whoever drives v1 today is not yesterday's slow driver; the depot's roads were slow.
    assert pace.driver == 1.0
    assert 1.05 < pace.leg(1500.0, 240.0, T0, "UTC") < 1.3


async def test_each_day_sizes_its_windows_from_its_own_errors() -> None:
    state = _kept(
        driven("y1", T0 - timedelta(days=1), 8.0, [1, 2]),
        route_from_event("t", planned_route("today", "v1", T0, stops=6), {}),
    )
    cfg = TrackerConfig()
    errors_of(state, cfg, state.routes["y1"]).add(3, 900.0)
    assert not errors_of(state, cfg, state.routes["today"]).errors


def test_earlier_days_loaded_late_still_teach_the_pace() -> None:
    cfg, state = TrackerConfig(), TrackingState()
    today = driven("r1", T0, 8.0 / 1.3, [1, 2])
    state.add_route(today)
    key = (today.depot_id, T0.date().isoformat())
    pace_of(state, cfg, today, T0 + timedelta(hours=1))
    assert key not in state.history_pace  # nothing earlier yet: nothing to keep all day
    # Yesterday's route arrives after the first ETA (a recovery, a rebalance).
    state.add_route(driven("r0", T0 - timedelta(days=1), 8.0 / 1.3 / 1.5, [1, 2, 3, 4]))
    pace_of(state, cfg, today, T0 + timedelta(hours=2))
    assert state.history_pace[key] is not None
    # A day before that, loaded later still, is summed again too.
    state.add_route(driven("r00", T0 - timedelta(days=2), 8.0 / 1.3, [1, 2, 3]))
    assert key not in state.history_pace


def test_days_past_the_history_horizon_are_forgotten() -> None:
    cfg, state = TrackerConfig(), TrackingState()
    days = [driven(f"r{n}", T0 + timedelta(days=n), 8.0 / 1.3, [1, 2]) for n in range(5)]
    for n, route in enumerate(days):
        state.add_route(route)
        pace_of(state, cfg, route, T0 + timedelta(days=n, hours=1))
        errors_of(state, cfg, route)
    kept = {(days[0].depot_id, (T0 + timedelta(days=n)).date().isoformat()) for n in (2, 3, 4)}
    assert set(state.fleet) == kept
    assert set(state.errors) == kept
    assert set(state.history_pace) <= kept
