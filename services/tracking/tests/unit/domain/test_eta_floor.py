"""ETAs never before a stop's window opens, nor before its planned service start from the first
wait the plan scheduled on (before it, the plan's times are its guess, not an appointment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lastmile_common.events.base import TimeWindow
from lastmile_common.events.routes import RoutePlanned
from tracking.domain import progress as prog
from tracking.domain.accuracy import arrival_errors
from tracking.domain.eta import EtaConfig, compute_etas
from tracking.domain.route import RouteState, route_from_event
from tracking.domain.travel import TravelTimes
from tracking.simulation import Leg, drive, planned_route, route_trace

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TT, CFG = TravelTimes(), EtaConfig()


def _waiting_route(wait: timedelta, windows: int = 1) -> RoutePlanned:
    """Four stops; the van reaches stop 2 early and waits `wait` for its window to open."""
    event = planned_route("r1", "v1", T0, stops=4, spacing_m=1500, service_s=120)
    stops = list(event.stops)
    s2 = stops[1]
    opens = s2.planned_arrival + wait
    ranges = [TimeWindow(start=opens, end=opens + timedelta(hours=1))]
    if windows == 2:  # an earlier window the van cannot reach any more
        ranges.insert(0, TimeWindow(start=T0 - timedelta(hours=3), end=T0 - timedelta(hours=2)))
    stops[1] = s2.model_copy(
        update={"windows": tuple(ranges), "planned_departure": opens + timedelta(seconds=120)}
    )
    for i in (2, 3):  # every later stop moves by the wait
        s = stops[i]
        stops[i] = s.model_copy(
            update={
                "planned_arrival": s.planned_arrival + wait,
                "planned_departure": s.planned_departure + wait,
            }
        )
    return event.model_copy(update={"stops": tuple(stops)})


def _floors(event: RoutePlanned) -> dict[str, datetime]:
    """Per stop: the opening of its window, or from the plan's first wait on its planned service
    start, whichever is later."""
    out = {}
    waited = False
    for stop in event.stops:
        planned = stop.planned_departure - timedelta(seconds=stop.service_time_s)
        waited = waited or planned > stop.planned_arrival
        floor = planned if waited else event.start_time
        for window in stop.windows:
            if window.end >= floor:
                floor = max(floor, window.start)
                break
        out[stop.stop_id] = floor
    return out


def test_at_route_start_no_stop_is_told_before_its_window_or_planned_wait() -> None:
    event = _waiting_route(timedelta(minutes=124))
    route = route_from_event("t", event, {})
    depot = event.depot_location
    etas = compute_etas(route, depot.lat, depot.lon, T0, TT, CFG)
    floors = _floors(event)
    for eta in etas:
        assert eta.eta >= floors[eta.stop_id], eta.stop_id
        assert eta.window_start >= floors[eta.stop_id] - timedelta(seconds=1), eta.stop_id
    # The waiting stop and those after it are told their planned service start (the van is on
    # plan), not two hours early.
    starts = {
        s.stop_id: s.planned_departure - timedelta(seconds=s.service_time_s) for s in event.stops
    }
    for eta in etas:
        assert abs((eta.eta - starts[eta.stop_id]).total_seconds()) < 120, eta.stop_id


def test_while_driving_every_eta_respects_the_floors() -> None:
    event = _waiting_route(timedelta(minutes=40), windows=2)
    route = route_from_event("t", event, {})
    floors = _floors(event)
    checked = 0
    for fix in route_trace(event, T0, order=[1], dwell_s=60)[::6]:
        prog.apply_fix(route, fix, prog.ProgressConfig())
        for eta in compute_etas(route, fix.lat, fix.lon, fix.time, TT, CFG):
            if eta.stop_id != route.at_stop:
                assert eta.eta >= floors[eta.stop_id], (fix.time, eta.stop_id)
                checked += 1
    assert checked > 20


def test_a_late_van_is_told_its_own_arrival() -> None:
    event = _waiting_route(timedelta(minutes=30))
    route = route_from_event("t", event, {})
    depot = event.depot_location
    late = T0 + timedelta(hours=2)  # leaves two hours late: past every planned start
    etas = compute_etas(route, depot.lat, depot.lon, late, TT, CFG)
    first_leg = (etas[0].eta - late).total_seconds()
    assert 1500 * 1.3 / 8.0 - 2 < first_leg < 1500 * 1.3 / 8.0 + 2


def test_windows_and_planned_start_survive_the_snapshot() -> None:
    route = route_from_event("t", _waiting_route(timedelta(minutes=20), windows=2), {})
    again = RouteState.from_json(route.to_json())
    assert again.stops[1].windows == route.stops[1].windows
    assert again.stops[1].planned_start == route.stops[1].planned_start


def _bias_on_plan(event: RoutePlanned) -> dict[int, float]:
    """Mean ETA error per horizon (stops without a wait) for a van keeping to `event`'s plan."""
    route = route_from_event("t", event, {})
    depot = (event.depot_location.lat, event.depot_location.lon)
    legs = []
    for stop in event.stops:
        dwell = (stop.planned_departure - stop.planned_arrival).total_seconds()
        legs.append(Leg(stop.location.lat, stop.location.lon, 8.0 / 1.3, dwell))
    told: dict[str, list[tuple[datetime, datetime]]] = {s.stop_id: [] for s in event.stops}
    for fix in drive(T0, depot, legs, every_s=10.0):
        prog.apply_fix(route, fix, prog.ProgressConfig())
        for eta in compute_etas(route, fix.lat, fix.lon, fix.time, TT, CFG):
            told[eta.stop_id].append((fix.time, eta.eta))
    errors: dict[int, list[float]] = {}
    for stop in route.stops:
        assert stop.arrived_at is not None
        if stop.windows:
            continue  # it waits there: its ETA is the service start, after the arrival
        for horizon, error in arrival_errors(told[stop.stop_id], stop.arrived_at).items():
            errors.setdefault(horizon, []).append(error)
    return {h: sum(e) / len(e) for h, e in errors.items()}


def test_a_van_on_plan_with_waits_gets_unbiased_etas() -> None:
    # A 40-minute wait at stop 2: every later stop inherits it.
    bias = _bias_on_plan(_waiting_route(timedelta(minutes=40)))
    assert set(bias) == {60, 30, 10}
    for horizon, mean in bias.items():
        assert abs(mean) < 90, (horizon, mean)


def test_a_van_ahead_of_plan_is_told_its_own_pace_until_a_planned_wait() -> None:
    # Planned at 4 m/s; the van drives 8: it reaches stop 1 minutes before the plan has it there.
    event = planned_route("r1", "v1", T0, stops=4, spacing_m=1500, service_s=120)
    slow_plan = [
        s.model_copy(
            update={
                "planned_arrival": T0 + (s.planned_arrival - T0) * 2,
                "planned_departure": T0 + (s.planned_arrival - T0) * 2 + timedelta(seconds=120),
            }
        )
        for s in event.stops
    ]
    route = route_from_event("t", event.model_copy(update={"stops": tuple(slow_plan)}), {})
    for fix in route_trace(event, T0, order=[1], dwell_s=60):
        prog.apply_fix(route, fix, prog.ProgressConfig())
    s1 = route.stops[0]
    assert s1.arrived_at is not None and s1.arrived_at < s1.planned_arrival - timedelta(minutes=3)
    at = s1.arrived_at + timedelta(seconds=60)
    etas = {e.stop_id: e for e in compute_etas(route, s1.lat, s1.lon, at, TT, CFG)}
    # Not held back to the slow plan: told when this van will be there.
    assert etas["r1-s2"].eta < route.stops[1].planned_arrival - timedelta(minutes=3)

    # The same van, but the plan has it wait at stop 3 for its window: 3 and 4 keep the plan.
    opens = route.stops[2].planned_arrival + timedelta(minutes=10)
    route.stops[2].windows = ((opens, opens + timedelta(hours=1)),)
    route.stops[2].planned_start = opens
    etas = {e.stop_id: e for e in compute_etas(route, s1.lat, s1.lon, at, TT, CFG)}
    assert etas["r1-s2"].eta < route.stops[1].planned_arrival - timedelta(minutes=3)
    assert etas["r1-s3"].eta >= opens
    assert etas["r1-s4"].eta >= route.stops[3].planned_start  # type: ignore[operator]


def test_a_van_early_before_any_planned_wait_is_told_its_own_arrival() -> None:
    # Leaving ten minutes early, before the plan's first wait (stop 2's window): stop 1 is told
    # when this van will be there, not the plan's guess; stop 2 waits for its window.
    event = _waiting_route(timedelta(minutes=30))
    route = route_from_event("t", event, {})
    depot = event.depot_location
    early = T0 - timedelta(minutes=10)
    etas = compute_etas(route, depot.lat, depot.lon, early, TT, CFG)
    assert abs((etas[0].eta - early).total_seconds() - 1500 * 1.3 / 8.0) < 2
    assert etas[1].eta >= event.stops[1].windows[0].start
