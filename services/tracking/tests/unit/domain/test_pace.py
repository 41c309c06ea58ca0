"""Learning the pace of the day and sizing windows from measured error."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tracking.domain.eta import EtaConfig, compute_etas
from tracking.domain.eta_error import ErrorBook, WindowConfig, horizon_bucket, told_errors
from tracking.domain.pace import (
    FleetPace,
    PaceConfig,
    driver_pace,
    fleet_pace,
    leg_samples,
    service_samples,
)
from tracking.domain.route import RouteState, route_from_event
from tracking.domain.travel import TravelTimes
from tracking.simulation import planned_route

from .test_pace_history import driven

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CFG = PaceConfig()


def _driven(speed_mps: float, visited: list[int], stops: int = 6) -> RouteState:
    """A route whose van drove the `visited` stops at a speed, completing each as it left."""
    return driven("r1", T0, speed_mps, visited, stops=stops)


def test_a_slow_driver_is_learned_and_a_plan_keeping_one_is_not() -> None:
    slow = driver_pace(
        [_driven(8.0 / 1.3 / 1.5, [1, 2, 3, 4])], FleetPace(), T0 + timedelta(hours=2), CFG
    )
    kept = driver_pace(
        [_driven(8.0 / 1.3, [1, 2, 3, 4])], FleetPace(), T0 + timedelta(hours=2), CFG
    )
    assert slow.driver > 1.3
    assert 0.9 < kept.driver < 1.1


def test_legs_count_from_the_drivers_completion_and_skip_a_changed_order() -> None:
    in_order = leg_samples(_driven(6.0, [1, 2, 3]), CFG)
    assert len(in_order) == 3
    swapped = leg_samples(_driven(6.0, [2, 1, 3]), CFG)
    # 2 was reached straight from the depot, not from 1: no planned time for that leg
    assert len(swapped) < len(in_order)


def test_the_fleet_pace_shrinks_towards_the_plan_with_little_evidence() -> None:
    one_leg = fleet_pace([_driven(3.0, [1])], CFG)
    many = fleet_pace([_driven(3.0, [1, 2, 3, 4, 5])], CFG)
    (ratio_one,) = one_leg.ratios.values()
    assert 1.0 < ratio_one < max(many.ratios.values())


def test_windows_follow_the_measured_error_once_enough_is_measured() -> None:
    book = ErrorBook(WindowConfig(min_samples=20, margin=1.0, min_half_s=60))
    to_go = 1800.0
    assert book.span(to_go) is None
    for k in range(40):  # vans 0..13 min later than told, never earlier
        book.add(horizon_bucket(to_go), 20.0 * k)
    before, after = book.span(to_go) or (0.0, 0.0)
    assert before == 60  # nothing arrived early: the floor
    assert 700 < after <= 780
    assert book.span(60.0) is None  # another horizon knows nothing yet

    event = planned_route("r1", "v1", T0, stops=8, spacing_m=2000)
    route = route_from_event("t", event, {})
    depot = event.depot_location
    etas = compute_etas(route, depot.lat, depot.lon, T0, TravelTimes(), EtaConfig(), errors=book)
    for eta in etas:
        if horizon_bucket((eta.eta - T0).total_seconds()) == horizon_bucket(to_go):
            assert eta.window_end - eta.eta == timedelta(seconds=after)
            break
    else:
        raise AssertionError("no stop 30 minutes ahead")


def test_windows_near_the_door_are_at_most_30_minutes_wide() -> None:
    book = ErrorBook(WindowConfig(min_samples=20, margin=1.0, min_half_s=60))
    for k in range(40):  # -20..+19.5 min: a wide spread 30 minutes out
        book.add(horizon_bucket(1800.0), 30.0 * (k - 20))
    config = EtaConfig()
    event = planned_route("r1", "v1", T0, stops=10, spacing_m=1500)
    route = route_from_event("t", event, {})
    depot = event.depot_location
    etas = compute_etas(route, depot.lat, depot.lon, T0, TravelTimes(), config, errors=book)
    near = [e for e in etas if (e.eta - T0).total_seconds() <= config.near_s]
    assert near
    for eta in near:
        width = (eta.window_end - eta.window_start).total_seconds()
        assert width <= config.near_max_width_s + 1
    measured = [e for e in near if horizon_bucket((e.eta - T0).total_seconds()) == 4]
    assert measured
    for eta in measured:  # the measured skew is kept: later side longer than the earlier
        assert eta.window_end - eta.eta > eta.eta - eta.window_start - timedelta(minutes=1)


def test_a_window_holds_the_stated_share_of_the_next_arrivals() -> None:
    # Errors drawn from one spread; a window sized from 40 of them must hold at least 95 % of
    # the arrivals that follow (on average over many days), not a little less.
    rng = random.Random(5)
    held, trials = 0, 0
    for _ in range(400):
        book = ErrorBook(WindowConfig(min_samples=20, min_half_s=0))
        for _ in range(40):
            book.add(horizon_bucket(1800.0), rng.gauss(60.0, 240.0))
        before, after = book.span(1800.0) or (0.0, 0.0)
        for _ in range(50):
            error = rng.gauss(60.0, 240.0)
            held += -before <= error <= after
            trials += 1
    assert held / trials >= 0.95


def test_errors_are_those_of_the_eta_the_customer_held_that_long_before() -> None:
    arrived = T0 + timedelta(hours=2)
    told = [
        (arrived - timedelta(minutes=70), arrived - timedelta(minutes=4)),
        (arrived - timedelta(minutes=25), arrived + timedelta(minutes=2)),
    ]
    errors = dict(told_errors(told, arrived))
    # 30 minutes before (bucket 20-30 min), the customer still held the ETA told 70 min before.
    assert errors[horizon_bucket(1800.0)] == 240.0
    assert errors[horizon_bucket(1200.0)] == -120.0
    assert horizon_bucket(5400.0) not in errors  # nothing was told 90 minutes before


def _served(vehicle: str, ratios: list[float]) -> RouteState:
    """A route whose driver took `ratios` times the planned service at each stop."""
    event = planned_route(f"r-{vehicle}", vehicle, T0, stops=len(ratios), service_s=120)
    route = route_from_event("t", event, {})
    for stop, ratio in zip(route.stops, ratios, strict=True):
        stop.arrived_at = stop.planned_arrival
        stop.resolved_at = stop.planned_arrival + timedelta(seconds=120 * ratio)
    return route


def test_a_drivers_few_slow_stops_are_luck_where_the_fleets_stops_vary_as_much() -> None:
    rng = random.Random(3)
    noisy = [_served(f"v{d}", [rng.lognormvariate(0, 0.3) for _ in range(12)]) for d in range(5)]
    fleet = fleet_pace(noisy, CFG)
    assert fleet.service_prior_s is not None and fleet.service_prior_s > 4 * CFG.service_prior_s
    # The unluckiest driver is told nearly the fleet's service time, not their own average.
    later = T0 + timedelta(hours=3)
    paces = [driver_pace([r], fleet, later, CFG).service / fleet.service for r in noisy]
    fixed = [driver_pace([r], replace(fleet, service_prior_s=None), later, CFG) for r in noisy]
    worst = max(range(5), key=lambda i: abs(fixed[i].service / fleet.service - 1))
    assert abs(paces[worst] - 1) < abs(fixed[worst].service / fleet.service - 1) / 2

    # A driver who is slow at every door is learned all the same.
    steady = [_served(f"v{d}", [1.0 + rng.gauss(0, 0.05) for _ in range(12)]) for d in range(4)]
    slow = _served("slow", [1.6 + rng.gauss(0, 0.05) for _ in range(12)])
    fleet = fleet_pace([*steady, slow], CFG)
    assert driver_pace([slow], fleet, later, CFG).service > 1.3


def test_an_early_vans_services_count_from_its_arrival_not_the_planned_start() -> None:
    early = _driven(8.0 / 1.3 * 2, [1, 2, 3])  # twice the planned speed: ahead at every door
    samples = service_samples(early, CFG)
    assert len(samples) == 2  # the last door is never left in the trace
    assert all(100 < s.observed_s < 200 for s in samples)  # 120 s at each door


def test_windows_wait_for_errors_enough_for_their_rank_edges() -> None:
    # With fewer than 39 errors, the 2.5 % edges by rank are the extremes measured: too narrow.
    rng = random.Random(7)
    book = ErrorBook()
    for _ in range(30):
        book.add(horizon_bucket(1800.0), rng.gauss(60.0, 240.0))
    assert book.span(1800.0) is None
    for _ in range(10):
        book.add(horizon_bucket(1800.0), rng.gauss(60.0, 240.0))
    assert book.span(1800.0) is not None


def test_a_planned_break_before_a_door_is_no_wait_there_for_learned_services() -> None:
    early = _driven(8.0 / 1.3 * 2, [1, 2, 3])  # ahead at every door
    door = early.stops[1]
    pause = timedelta(minutes=20)  # the plan's break before the door: its service starts later
    door.planned_start = door.planned_arrival + pause
    early.breaks = ((door.planned_arrival, door.planned_start),)
    samples = service_samples(early, CFG)
    assert len(samples) == 2  # not measured from the planned start (a negative service)
    assert all(100 < s.observed_s < 200 for s in samples)
