"""The driver's route: the load plan's labels, the route of the day, snapshots that keep them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lastmile_common.events.routes import LoadPlanEntry
from tracking.domain.route import RouteState, RouteStatus, route_from_event
from tracking.service_layer.driver_view import driver_route, todays_route
from tracking.service_layer.state import TrackingState
from tracking.simulation import planned_route

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _route(route_id: str, start: datetime) -> RouteState:
    event = planned_route(route_id, "van-1", start, stops=3)
    stops = list(event.stops)
    stops[2] = stops[2].model_copy(update={"load_label": "on the stop"})
    plan = (LoadPlanEntry(order_id=stops[0].order_id, load_sequence=3, label="A-01"),)
    event = event.model_copy(update={"stops": tuple(stops), "load_plan": plan})
    return route_from_event("t1", event, {})


def test_labels_come_from_the_load_plan_else_the_stop_and_survive_a_snapshot() -> None:
    route = _route("r1", START)
    assert [s.load_label for s in route.stops] == ["A-01", "", "on the stop"]
    again = RouteState.from_json(route.to_json())
    assert [s["load_label"] for s in driver_route(again)["stops"]] == ["A-01", "", "on the stop"]
    old = route.to_json()
    for stop in old["stops"]:
        del stop["load_label"]  # a snapshot written before labels were kept
    assert RouteState.from_json(old).stops[0].load_label == ""


def test_the_started_route_else_the_earliest_planned_one() -> None:
    state = TrackingState()
    later, earlier = _route("later", START + timedelta(hours=5)), _route("earlier", START)
    assert todays_route(state, "t1", "van-1") is None
    state.add_route(later)
    state.add_route(earlier)
    assert todays_route(state, "t1", "van-1") is earlier
    assert todays_route(state, "t2", "van-1") is None  # another tenant's vehicle of that name
    later.status = RouteStatus.STARTED
    assert todays_route(state, "t1", "van-1") is later
    later.status = earlier.status = RouteStatus.COMPLETED
    assert todays_route(state, "t1", "van-1") is None


def test_door_details_reach_the_driver_and_survive_a_snapshot() -> None:
    event = planned_route("r2", "van-1", START, stops=2)
    door = {
        "address": "Hauptstr. 5, 10115 Berlin",
        "recipient_name": "Ada",
        "phone": "+4930123456",
        "note": "ring twice",
        "skills": ("age_check",),
    }
    stops = (event.stops[0].model_copy(update=door), event.stops[1])
    route = route_from_event("t1", event.model_copy(update={"stops": stops}), {})
    shown = driver_route(RouteState.from_json(route.to_json()))
    first, second = shown["stops"]
    assert {k: first[k] for k in door} == {**door, "skills": ["age_check"]}
    assert (second["address"], second["phone"], second["skills"]) == ("", None, [])
    assert shown["geometry"] == route.geometry
