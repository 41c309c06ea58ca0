"""ETAs on synthetic traces: legs, rush hours, pace, window narrowing, publish policy, accuracy."""

from datetime import UTC, datetime, timedelta

from tracking.domain import progress as prog
from tracking.domain.accuracy import arrival_errors
from tracking.domain.eta import EtaConfig, StopEta, compute_etas, half_window_s
from tracking.domain.eta_policy import PublishPolicy, published, should_publish
from tracking.domain.route import route_from_event
from tracking.domain.travel import TravelTimes
from tracking.simulation import planned_route, route_trace

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 10:00 UTC: off-peak (8 m/s)
TT, CFG = TravelTimes(), EtaConfig()


def test_eta_of_first_stop_is_distance_times_detour_over_speed() -> None:
    event = planned_route("r1", "v1", T0, stops=2, spacing_m=1500, service_s=120)
    route = route_from_event("t", event, {})
    etas = compute_etas(route, event.depot_location.lat, event.depot_location.lon, T0, TT, CFG)
    first, second = etas
    assert abs((first.eta - T0).total_seconds() - 1500 * 1.3 / 8.0) < 2
    # second = first + service + next leg
    assert abs((second.eta - first.eta).total_seconds() - (120 + 1500 * 1.3 / 8.0)) < 2
    assert (first.stops_away, second.stops_away) == (0, 1)


def test_rush_hour_is_slower() -> None:
    assert TravelTimes().speed_at(8 * 3600) < TravelTimes().speed_at(11 * 3600)
    assert TravelTimes().speed_at(17 * 3600) < TravelTimes().speed_at(20 * 3600)
    event = planned_route("r1", "v1", T0, stops=1)
    route = route_from_event("t", event, {})
    lat, lon = event.depot_location.lat, event.depot_location.lon
    calm = compute_etas(route, lat, lon, T0, TT, CFG)[0].eta - T0
    rush_start = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    rush = compute_etas(route, lat, lon, rush_start, TT, CFG)[0].eta - rush_start
    assert rush > calm * 1.4


def test_window_narrows_as_the_stop_nears() -> None:
    event = planned_route("r1", "v1", T0, stops=3, spacing_m=3000)
    route = route_from_event("t", event, {})
    widths = []
    for fix in route_trace(event, T0, order=[1])[::10]:
        prog.apply_fix(route, fix, prog.ProgressConfig())
        etas = {e.stop_id: e for e in compute_etas(route, fix.lat, fix.lon, fix.time, TT, CFG)}
        if "r1-s1" in etas and route.at_stop is None:
            e = etas["r1-s1"]
            widths.append((e.window_end - e.window_start).total_seconds())
    assert len(widths) > 3
    assert widths == sorted(widths, reverse=True)
    assert widths[-1] < widths[0]
    assert half_window_s(7200, 5, CFG) > half_window_s(600, 0, CFG) >= CFG.min_half_window_s


def test_slow_driver_pace_stretches_later_etas() -> None:
    event = planned_route("r1", "v1", T0, stops=5)
    slow, normal = route_from_event("t", event, {}), route_from_event("t", event, {})
    for route, speed in ((slow, 4.0), (normal, 8.0 / 1.3)):
        for fix in route_trace(event, T0, order=[1, 2], speed_mps=speed, dwell_s=40):
            prog.apply_fix(route, fix, prog.ProgressConfig())
    s2 = event.stops[1].location
    at = T0 + timedelta(hours=1)
    eta_slow = compute_etas(slow, s2.lat, s2.lon, at, TT, CFG)[-1].eta
    eta_normal = compute_etas(normal, s2.lat, s2.lon, at, TT, CFG)[-1].eta
    assert eta_slow > eta_normal + timedelta(minutes=2)


def _eta(minutes: float, start: float = -10, end: float = 10, away: int = 3) -> StopEta:
    base = T0 + timedelta(minutes=minutes)
    return StopEta(
        "s", "o", base, base + timedelta(minutes=start), base + timedelta(minutes=end), away
    )


def test_policy_publishes_first_then_only_real_moves() -> None:
    policy = PublishPolicy(threshold_s=120, min_interval_s=60, material_s=600)
    assert should_publish(policy, None, _eta(30), T0)
    last = published(_eta(30), T0, None)
    assert not should_publish(policy, last, _eta(31), T0 + timedelta(seconds=90))  # < threshold
    assert not should_publish(policy, last, _eta(34), T0 + timedelta(seconds=30))  # too soon
    assert should_publish(policy, last, _eta(34), T0 + timedelta(seconds=90))
    assert should_publish(policy, last, _eta(45), T0 + timedelta(seconds=5))  # material move
    assert should_publish(policy, last, _eta(30, away=2), T0 + timedelta(seconds=5))


def test_policy_never_floods_on_a_jittery_trace() -> None:
    policy = PublishPolicy()
    last = None
    sent = 0
    for second in range(0, 1800, 5):  # ETA jitters +-3 minutes every 5 s for 30 minutes
        now = T0 + timedelta(seconds=second)
        eta = _eta(40 + (3 if second % 10 else -3))
        if should_publish(policy, last, eta, now):
            last = published(eta, now, last)
            sent += 1
    assert sent <= 1 + 1800 // policy.min_interval_s
    assert last is not None
    assert last.sequence == sent


def test_accuracy_uses_the_eta_in_force_at_each_horizon() -> None:
    arrived = T0 + timedelta(hours=2)
    told = [
        (arrived - timedelta(minutes=90), arrived + timedelta(minutes=20)),
        (arrived - timedelta(minutes=45), arrived - timedelta(minutes=5)),
        (arrived - timedelta(minutes=12), arrived + timedelta(minutes=1)),
    ]
    assert arrival_errors(told, arrived) == {60: 1200.0, 30: -300.0, 10: 60.0}
    assert arrival_errors(told[2:], arrived) == {10: 60.0}


def test_policy_tells_a_window_that_narrowed() -> None:
    policy = PublishPolicy(threshold_s=120, min_interval_s=60, material_s=600, narrowed_s=300)
    last = published(_eta(30, start=-20, end=20), T0, None)
    later = T0 + timedelta(minutes=5)
    assert not should_publish(policy, last, _eta(30, start=-18, end=18), later)  # 4 min narrower
    assert should_publish(policy, last, _eta(30, start=-15, end=15), later)  # 10 min narrower


def test_policy_tells_a_window_that_comes_within_the_promised_width() -> None:
    policy = PublishPolicy(narrowed_s=300, promised_width_s=1800)
    last = published(_eta(30, start=-16, end=16), T0, None)  # 32 minutes wide
    later = T0 + timedelta(seconds=30)
    assert not should_publish(policy, last, _eta(30, start=-15.5, end=15.5), later)  # still 31
    assert should_publish(policy, last, _eta(30, start=-14.5, end=14.5), later)  # 29: promised
