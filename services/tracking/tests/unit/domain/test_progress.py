"""Route progress on synthetic traces: start, arrival with dwell, departure, completion, order."""

from datetime import UTC, datetime, timedelta

from tracking.domain import progress as prog
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState, RouteStatus, StopState, StopStatus, route_from_event
from tracking.simulation import Leg, drive, offset, planned_route, route_trace

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CFG = prog.ProgressConfig(stop_radius_m=60, dwell_s=30)


def run(route, fixes):  # type: ignore[no-untyped-def]
    out = []
    for fix in fixes:
        out.extend(prog.apply_fix(route, fix, CFG))
    return out


def test_start_arrivals_and_departures_on_a_trace() -> None:
    event = planned_route("r1", "v1", T0, stops=3)
    route = route_from_event("t", event, {})
    happened = run(route, route_trace(event, T0, dwell_s=90))
    kinds = [type(h).__name__ for h in happened]
    assert kinds[0] == "RouteStarted"
    arrivals = [h for h in happened if isinstance(h, prog.StopArrived)]
    assert [a.stop.stop_id for a in arrivals] == ["r1-s1", "r1-s2", "r1-s3"]
    assert kinds.count("StopDeparted") == 2  # the last stop is never left in the trace
    assert route.at_stop == "r1-s3"


def test_arrival_needs_the_dwell_time() -> None:
    event = planned_route("r1", "v1", T0, stops=1)
    route = route_from_event("t", event, {})
    stop = event.stops[0].location
    away = Fix(T0, *offset(stop.lat, stop.lon, 0, -1000))
    passing = [Fix(T0 + timedelta(seconds=s), stop.lat, stop.lon) for s in (100, 110, 120)]
    assert not any(isinstance(h, prog.StopArrived) for h in run(route, [away, *passing]))
    happened = run(route, [Fix(T0 + timedelta(seconds=135), stop.lat, stop.lon)])
    assert [type(h).__name__ for h in happened] == ["StopArrived"]
    assert happened[0].at == T0 + timedelta(seconds=100)  # arrival = first fix inside


def test_vehicle_inside_depot_has_not_started() -> None:
    event = planned_route("r1", "v1", T0)
    route = route_from_event("t", event, {})
    depot = (event.depot_location.lat, event.depot_location.lon)
    assert (
        run(route, [Fix(T0 + timedelta(minutes=m), *offset(*depot, 50, 0)) for m in range(5)]) == []
    )
    assert route.status is RouteStatus.PLANNED


def test_driver_leaving_planned_order_is_followed() -> None:
    event = planned_route("r1", "v1", T0, stops=4)
    route = route_from_event("t", event, {})
    fixes = route_trace(event, T0, order=[3])  # goes to stop 3 first
    run(route, fixes)
    assert route.stop("r1-s3").status is StopStatus.ARRIVED  # type: ignore[union-attr]
    order = [s.stop_id for s in prog.remaining(route)]
    assert order == ["r1-s3", "r1-s4", "r1-s1", "r1-s2"]  # carries on, skipped ones last


def test_heading_is_inferred_from_movement() -> None:
    event = planned_route("r1", "v1", T0, stops=4, spacing_m=1500)
    route = route_from_event("t", event, {})
    s4 = event.stops[3].location
    near = offset(s4.lat, s4.lon, 0, -300)
    run(
        route,
        [
            Fix(T0, *offset(event.depot_location.lat, event.depot_location.lon, 0, -500)),
            Fix(T0 + timedelta(minutes=5), *near),
        ],
    )
    assert prog.remaining(route)[0].stop_id == "r1-s4"


def test_completion_of_every_stop_completes_the_route() -> None:
    event = planned_route("r1", "v1", T0, stops=2)
    route = route_from_event("t", event, {})
    run(route, route_trace(event, T0))
    first = prog.resolve_stop(route, route.stop("r1-s1"), True, T0 + timedelta(hours=1))  # type: ignore[arg-type]
    assert [type(h).__name__ for h in first] == ["StopResolved"]
    last = prog.resolve_stop(route, route.stop("r1-s2"), False, T0 + timedelta(hours=2))  # type: ignore[arg-type]
    done = last[-1]
    assert isinstance(done, prog.RouteCompleted)
    assert (done.delivered, done.failed) == (1, 1)
    assert route.status is RouteStatus.COMPLETED


def test_snapshot_round_trip() -> None:
    from tracking.domain.route import RouteState

    event = planned_route("r1", "v1", T0, stops=3)
    route = route_from_event("t", event, {"r1-o1": "tok"})
    run(route, route_trace(event, T0, order=[1]))
    again = RouteState.from_json(route.to_json())
    assert again.to_json() == route.to_json()
    assert again.stop("r1-s1").status is StopStatus.ARRIVED  # type: ignore[union-attr]


def _at_first_door() -> RouteState:
    """Doors 70 m apart (one street), the van at the first, served and completed."""
    event = planned_route("r1", "v1", T0, stops=3, spacing_m=70.0)
    route = route_from_event("t", event, {})
    first = route.stops[0]
    depot = (event.depot_location.lat, event.depot_location.lon)
    out = offset(*depot, 0, -400)  # out of the depot's circle first: the route starts
    run(route, drive(T0, depot, [Leg(*out), Leg(first.lat, first.lon, dwell_s=120)]))
    assert route.at_stop == first.stop_id
    prog.resolve_stop(route, first, True, T0 + timedelta(minutes=5))
    return route


def test_the_next_door_is_reached_without_leaving_the_last_ones_wider_circle() -> None:
    route = _at_first_door()
    here, door = route.stops[0], route.stops[1]
    walked = drive(
        T0 + timedelta(minutes=5), (here.lat, here.lon), [Leg(door.lat, door.lon, 1.5, 60)]
    )
    run(route, walked)
    assert route.at_stop == door.stop_id  # 70 m on: inside the first door's 90 m circle
    assert door.arrived_at is not None
    assert door.arrived_at - walked[0].time < timedelta(seconds=40)


def test_a_door_near_but_not_the_next_one_needs_the_van_to_leave_first() -> None:
    route = _at_first_door()
    here, later = route.stops[0], route.stops[2]
    later.lat, later.lon = offset(here.lat, here.lon, 50, 0)  # across the street
    run(
        route,
        drive(
            T0 + timedelta(minutes=5), (here.lat, here.lon), [Leg(here.lat, here.lon, dwell_s=60)]
        ),
    )
    assert route.at_stop == here.stop_id
    assert later.arrived_at is None


def test_a_van_parked_after_a_door_is_not_at_the_next_one_across_the_street() -> None:
    route = _at_first_door()
    here, door, far = route.stops
    door.lat, door.lon = offset(here.lat, here.lon, 50, 0)  # inside here's 90 m circle
    far.lat, far.lon = offset(here.lat, here.lon, 0, 1500)
    parked = T0 + timedelta(minutes=5)
    events = run(route, drive(parked, (here.lat, here.lon), [Leg(here.lat, here.lon, dwell_s=120)]))
    events += run(
        route,
        drive(
            parked + timedelta(seconds=120),
            (here.lat, here.lon),
            [Leg(far.lat, far.lon, dwell_s=120)],
        ),
    )
    arrived = [e.stop.stop_id for e in events if isinstance(e, prog.StopArrived)]
    assert arrived == [far.stop_id]  # never at the door across the street
    assert door.status is StopStatus.PENDING
    assert door.stop_id in [s.stop_id for s in prog.remaining(route)]


def _one_address(route: RouteState, *stops: StopState) -> None:
    for stop in stops:
        stop.lat, stop.lon = route.stops[0].lat, route.stops[0].lon


def test_orders_at_one_address_are_served_in_plan_order() -> None:
    route = _at_first_door()
    here, second, third = route.stops
    _one_address(route, second, third)
    at = T0 + timedelta(minutes=5)
    run(route, drive(at, (here.lat, here.lon), [Leg(here.lat, here.lon, dwell_s=60)]))
    assert route.at_stop == second.stop_id  # the next order at the same door, not the last
    prog.resolve_stop(route, second, True, at + timedelta(minutes=2))
    run(
        route,
        drive(
            at + timedelta(minutes=2), (here.lat, here.lon), [Leg(here.lat, here.lon, dwell_s=60)]
        ),
    )
    assert route.at_stop == third.stop_id
    assert [s.stop_id for s in route.stops if s.arrived_at] == [s.stop_id for s in route.stops]


def test_arriving_at_one_address_records_its_first_open_order() -> None:
    event = planned_route("r1", "v1", T0, stops=3, spacing_m=1500.0)
    route = route_from_event("t", event, {})
    first, second, third = route.stops
    third.lat, third.lon = second.lat, second.lon
    depot = (event.depot_location.lat, event.depot_location.lon)
    out = offset(*depot, 0, -400)
    run(route, drive(T0, depot, [Leg(*out), Leg(first.lat, first.lon, dwell_s=120)]))
    prog.resolve_stop(route, first, True, T0 + timedelta(minutes=5))
    at = T0 + timedelta(minutes=5)
    run(route, drive(at, (first.lat, first.lon), [Leg(second.lat, second.lon, dwell_s=120)]))
    assert route.at_stop == second.stop_id
    assert third.status is StopStatus.PENDING
    assert [s.stop_id for s in prog.remaining(route)][:2] == [second.stop_id, third.stop_id]
