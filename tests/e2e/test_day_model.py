"""Fast checks of the demo's pieces: the generated day, the intake formats, the day's fold."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from lastmile_common.events.deliveries import OrderDelivered, Proof, StopArrived
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.orders import OrderCreated, OrderSpec
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned
from lastmile_common.geo import haversine_m
from lastmile_common.routing import Point, Profile, Router
from planner.domain.road_travel import MAX_SNAP_M

from lastmile.console.state import DayState
from lastmile.demo.day import make_day
from lastmile.demo.intake import CSV_HEADER, shopify_payload, to_csv
from lastmile.demo.places import DEPOT_LOCATION, STREETS

DAY = date(2030, 5, 6)


def test_the_day_is_deterministic_and_valid() -> None:
    day = make_day(DAY, orders=120, seed=3)
    again = make_day(DAY, orders=120, seed=3)
    assert [o.body for o in day.orders] == [o.body for o in again.orders]
    assert len(day.orders) == 120
    for order in day.orders:
        OrderSpec.model_validate(order.body)
    assert {o.impossible for o in day.orders} >= {
        "too_heavy",
        "skill_missing",
        "window_unreachable",
    }
    assert sum(o.late for o in day.orders) == 2
    assert {o.intake for o in day.orders} == {"shopify", "kafka", "import", "api"}
    assert len({o.external_id for o in day.orders}) == 120


def test_addresses_lie_on_the_named_streets_near_the_depot() -> None:
    day = make_day(DAY, orders=200, seed=5)
    by_name = {street.name: street for street in STREETS}
    for order in day.orders:
        address = order.body["address"]
        street = by_name[address["line1"].rsplit(" ", 1)[0]]
        point = (address["location"]["lat"], address["location"]["lon"])
        lats = sorted((street.start[0], street.end[0]))
        lons = sorted((street.start[1], street.end[1]))
        assert lats[0] - 0.0003 <= point[0] <= lats[1] + 0.0003
        assert lons[0] - 0.0005 <= point[1] <= lons[1] + 0.0005
        assert haversine_m(*DEPOT_LOCATION, *point) < 8_000


def test_csv_and_shopify_forms_carry_the_order() -> None:
    day = make_day(DAY, orders=10, seed=1)
    rows = list(csv.DictReader(io.StringIO(to_csv(day.orders))))
    assert list(rows[0]) == CSV_HEADER
    assert rows[0]["external_id"] == day.orders[0].external_id
    payload = shopify_payload(day.orders[0], 7)
    window = day.orders[0].body["windows"][0]
    assert payload["note_attributes"][0]["value"] == window["start"]
    assert (
        payload["shipping_address"]["latitude"] == day.orders[0].body["address"]["location"]["lat"]
    )


def _created(spec: dict[str, object], order_id: str) -> Envelope:
    data = OrderCreated.model_validate(
        {**spec, "order_id": order_id, "status": "open", "version": 1,
         "created_at": datetime.now(UTC), "total_weight_kg": 1, "total_volume_m3": 0,
         "total_parcels": 1}
    )  # fmt: skip
    return Envelope.wrap(data, source="t", tenant="t1")


def test_the_fold_takes_events_in_any_order() -> None:
    body = make_day(DAY, orders=5, seed=2).orders[0].body
    at = datetime(2030, 5, 6, 9, tzinfo=UTC)
    location = body["address"]["location"]
    arrived = StopArrived(
        route_id="r1", stop_id="s1", order_id="o1", vehicle_id="v1", arrived_at=at,
        location=location,
    )  # fmt: skip
    delivered = OrderDelivered(
        order_id="o1", route_id="r1", stop_id="s1", delivered_at=at + timedelta(minutes=3),
        proof=Proof(photo_ref="p.jpg"), tracking_token="tok",
    )  # fmt: skip
    day = DayState("t1")
    day.apply(Envelope.wrap(arrived, source="t", tenant="t1"))
    day.apply(Envelope.wrap(delivered, source="t", tenant="t1"))
    day.apply(Envelope.wrap(delivered, source="t", tenant="other-tenant"))
    day.apply(_created(body, "o1"))
    order = day.orders["o1"]
    assert (order.status, order.arrived_at, order.token) == ("delivered", at, "tok")
    assert day.figures()["delivered"] == 1


def test_console_snapshot_links_customers_to_their_tracking_pages() -> None:
    from lastmile.console.views import snapshot

    body = make_day(DAY, orders=5, seed=2).orders[1].body
    delivered = OrderDelivered(
        order_id="o2", route_id="r1", stop_id="s1", delivered_at=datetime(2030, 5, 6, 9, tzinfo=UTC),
        proof=Proof(photo_ref="p.jpg"), tracking_token="tok2",
    )  # fmt: skip
    day = DayState("t1")
    day.apply(_created(body, "o2"))
    day.apply(Envelope.wrap(delivered, source="t", tenant="t1"))
    view = snapshot(day, {"tracking": "http://tracking", "notifier": "http://notifier"})
    assert view["customers"] == [
        {"external_id": body["external_id"], "name": body["recipient"]["name"],
         "status": "delivered", "link": "http://tracking/track/tok2"}
    ]  # fmt: skip
    assert view["sink"] == "http://notifier/sink"
    assert view["figures"]["delivered"] == 1


def test_every_address_and_the_depot_are_on_the_map_near_a_road(road_router: Router) -> None:
    day = make_day(DAY, orders=300, seed=7)
    points = [Point(*DEPOT_LOCATION)] + [
        Point(o.body["address"]["location"]["lat"], o.body["address"]["location"]["lon"])
        for o in day.orders
    ]
    for point in points:
        assert road_router.bounds.contains(point)
        assert road_router.snap(point, Profile.CAR).distance_m < MAX_SNAP_M


def test_the_console_draws_the_road_geometry_a_route_carries(road_router: Router) -> None:
    from lastmile.console.views import snapshot

    depot, stop = Point(*DEPOT_LOCATION), Point(47.1367, 9.5188)
    at = datetime(2030, 5, 6, 9, tzinfo=UTC)
    road = road_router.route([depot, stop, depot], at, Profile.CAR)
    here = {"lat": stop.lat, "lon": stop.lon}
    planned = RoutePlanned(
        plan_id="p1", route_id="r1", depot_id="d1", vehicle_id="v1", vehicle_kind="van",
        service_date="2030-05-06", depot_location={"lat": depot.lat, "lon": depot.lon},
        start_time=at, end_time=at + timedelta(hours=1), distance_m=road.distance_m,
        duration_s=road.duration_s, load=Load(), geometry=road.polyline,
        stops=(PlannedStop(stop_id="s1", sequence=1, order_id="o1", location=here,
                           planned_arrival=at, planned_departure=at, service_time_s=60),),
    )  # fmt: skip
    day = DayState("t1")
    day.apply(Envelope.wrap(planned, source="t", tenant="t1"))
    [route] = snapshot(day, {"tracking": "http://t", "notifier": "http://n"})["routes"]
    path = [Point(lat, lon) for lat, lon in route["path"]]
    assert len(path) > 10  # the roads' bends, not three straight-line corners
    drawn = sum(haversine_m(a.lat, a.lon, b.lat, b.lon) for a, b in pairwise(path))
    assert abs(drawn - road.distance_m) < 0.05 * road.distance_m
