"""Drivers' breaks in ETAs: a break in progress holds the van until it ends, a planned break
ahead on the route makes every stop after it later by the break."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lastmile_common.events.routes import PlannedBreak, RoutePlanned
from tracking.domain.eta import EtaConfig, compute_etas
from tracking.domain.pace import PaceConfig, leg_samples
from tracking.domain.route import RouteState, StopStatus, route_from_event
from tracking.domain.travel import TravelTimes
from tracking.simulation import planned_route

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # off-peak: 8 m/s
TT, CFG = TravelTimes(), EtaConfig()
LEG_S = 1500 * 1.3 / 8.0
BREAK = timedelta(minutes=30)


def _with_break(after_stop: int) -> RoutePlanned:
    """Four stops; the plan has the driver take a 30-minute break after stop `after_stop`. As
    the planner publishes it: the next stop's arrival is its leg's end, its service start comes
    after the break, and every later stop moves by the break."""
    event = planned_route("r1", "v1", T0, stops=4, spacing_m=1500, service_s=120)
    before = event.stops[after_stop - 1]
    pause = PlannedBreak(start=before.planned_departure, end=before.planned_departure + BREAK)
    stops = []
    for s in event.stops:
        if s.sequence > after_stop + 1:
            s = s.model_copy(update={"planned_arrival": s.planned_arrival + BREAK})
        if s.sequence > after_stop:
            s = s.model_copy(update={"planned_departure": s.planned_departure + BREAK})
        stops.append(s)
    return event.model_copy(update={"stops": tuple(stops), "breaks": (pause,)})


def _etas(route: RouteState, at: datetime) -> dict[int, datetime]:
    lat, lon = route.depot_lat, route.depot_lon
    by_id = {s.stop_id: s.sequence for s in route.stops}
    return {by_id[e.stop_id]: e.eta for e in compute_etas(route, lat, lon, at, TT, CFG)}


def test_a_planned_break_ahead_makes_the_stops_after_it_later_by_the_break() -> None:
    plain = route_from_event("t", planned_route("r1", "v1", T0, stops=4, service_s=120), {})
    pausing = route_from_event("t", _with_break(after_stop=2), {})
    assert pausing.breaks  # the route keeps its planned breaks
    without, with_ = _etas(plain, T0), _etas(pausing, T0)
    for seq in (1, 2):
        assert abs((with_[seq] - without[seq]).total_seconds()) < 2, seq
    for seq in (3, 4):
        assert abs((with_[seq] - without[seq] - BREAK).total_seconds()) < 2, seq


def test_a_van_ahead_of_plan_still_takes_its_planned_break() -> None:
    # Leaving 20 minutes early: the stops before the break come early, those after are later
    # than their early ETAs by the break (not held to the plan, nor told without the break).
    pausing = route_from_event("t", _with_break(after_stop=1), {})
    early = T0 - timedelta(minutes=20)
    etas = _etas(pausing, early)
    assert abs((etas[1] - early).total_seconds() - LEG_S) < 2
    gap = (etas[2] - etas[1]).total_seconds()
    assert abs(gap - (120 + BREAK.total_seconds() + LEG_S)) < 2


def test_a_break_in_progress_holds_every_stop_until_it_ends() -> None:
    # Still at the depot, on a break since the route's start: it is the planned one (30 min).
    pausing = route_from_event("t", _with_break(after_stop=2), {})
    now = T0 + timedelta(minutes=10)
    pausing.take_break(T0)
    etas = _etas(pausing, now)
    expected = T0 + BREAK + timedelta(seconds=LEG_S)
    for seq in (1, 2, 3, 4):
        # Driving from the break's end; the planned break is not taken a second time.
        assert abs((etas[seq] - expected).total_seconds()) < 2 * seq, seq
        expected += timedelta(seconds=120 + LEG_S)
    # A break the plan did not place lasts the configured length from its start.
    plain = route_from_event("t", planned_route("r1", "v1", T0, stops=4, service_s=120), {})
    plain.take_break(T0)
    first = _etas(plain, now)[1]
    assert abs((first - T0).total_seconds() - CFG.unplanned_break_s - LEG_S) < 2
    # Once it ended, ETAs run from the position again, with no break left ahead.
    pausing.end_break(now)
    etas = _etas(pausing, now)
    assert abs((etas[4] - now).total_seconds() - (4 * LEG_S + 3 * 120)) < 8


def test_a_break_is_not_read_as_a_slow_leg() -> None:
    route = route_from_event("t", planned_route("r1", "v1", T0, stops=3, service_s=120), {})
    s1, s2 = route.stops[0], route.stops[1]
    route.started_at = T0
    s1.arrived_at = s1.planned_arrival
    s1.resolved_at = s1.planned_arrival + timedelta(seconds=120)
    route.take_break(s1.resolved_at)
    route.end_break(s1.resolved_at + BREAK)
    s2.arrived_at = s2.planned_arrival + BREAK
    legs = leg_samples(route, PaceConfig())
    second = [s for s in legs if s.at == s2.arrived_at]
    assert second and second[0].observed_s < second[0].planned_s * 1.2


def test_a_break_never_ended_is_not_read_as_fast_legs_for_the_rest_of_the_day() -> None:
    # The driver taps "break" leaving the depot and never "end break", then drives on plan.
    route = route_from_event("t", planned_route("r1", "v1", T0, stops=4, service_s=120), {})
    route.started_at = T0
    route.take_break(T0)
    for stop in route.stops:
        stop.arrived_at = stop.planned_arrival + BREAK  # the break did hold the van 30 min
        stop.resolved_at = stop.arrived_at + timedelta(seconds=120)
    legs = leg_samples(route, PaceConfig())
    assert len(legs) >= 3
    first, *later = sorted(legs, key=lambda s: s.at)
    assert first.observed_s < first.planned_s * 1.2  # the break is not a slow first leg
    for leg in later:  # nor are the legs after it, driven on plan, counted as taking no time
        assert 0.7 * leg.planned_s < leg.observed_s < 1.3 * leg.planned_s


def test_a_planned_break_the_van_drove_past_is_no_longer_ahead() -> None:
    # The driver served stop 3, the first one after the planned break, without reporting a
    # break: taken silently (it is in the van's progress already) or skipped; either way the
    # later stops are not held by it again.
    pausing = route_from_event("t", _with_break(after_stop=2), {})
    s3 = pausing.stops[2]
    s3.arrived_at = s3.planned_arrival
    s3.resolved_at = s3.planned_arrival + timedelta(seconds=120)
    s3.status = StopStatus.DELIVERED
    for stop in pausing.stops[:2]:
        stop.status = StopStatus.DELIVERED
    now = s3.resolved_at
    etas = _etas(pausing, now)
    assert set(etas) == {4}
    lat, lon = s3.lat, s3.lon
    told = compute_etas(pausing, lat, lon, now, TT, CFG)[0].eta
    assert abs((told - now).total_seconds() - LEG_S) < 2
