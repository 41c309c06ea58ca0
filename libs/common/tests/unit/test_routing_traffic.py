"""Time buckets: which bucket a departure falls in, the worst-case departures, validation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from lastmile_common.routing import RoadClass, RoutingError, RoutingSettings, TimeBucket
from lastmile_common.routing.prepare import dataset_key
from lastmile_common.routing.traffic import TrafficModel
from lastmile_common.routing.types import Profile
from pydantic import ValidationError

VADUZ_TZ = ZoneInfo("Europe/Vaduz")


def local(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=VADUZ_TZ)


@pytest.mark.parametrize(
    ("departure", "bucket"),
    [
        (local(0, 0), "night"),
        (local(6, 59), "night"),
        (local(7, 0), "morning_rush"),
        (local(9, 29), "morning_rush"),
        (local(9, 30), "midday"),
        (local(15, 59), "midday"),
        (local(16, 0), "evening_rush"),
        (local(18, 59), "evening_rush"),
        (local(19, 0), "night"),
        (local(23, 59), "night"),
    ],
)
def test_a_departure_falls_in_the_bucket_of_its_local_time(
    departure: datetime, bucket: str
) -> None:
    assert TrafficModel().bucket_at(departure).name == bucket


def test_utc_departures_are_read_in_the_regions_time_zone() -> None:
    # 06:30 UTC is 07:30 in Vaduz in winter (CET) and 08:30 in summer (CEST).
    model = TrafficModel()
    assert model.bucket_at(datetime(2026, 12, 1, 6, 30, tzinfo=UTC)).name == "morning_rush"
    assert model.bucket_at(datetime(2026, 12, 1, 5, 30, tzinfo=UTC)).name == "night"
    assert model.bucket_at(datetime(2026, 7, 1, 5, 30, tzinfo=UTC)).name == "morning_rush"
    london = TrafficModel(timezone="Europe/London")
    assert london.bucket_at(datetime(2026, 12, 1, 6, 30, tzinfo=UTC)).name == "night"


def test_a_departure_without_a_time_zone_is_refused() -> None:
    with pytest.raises(RoutingError, match="time zone"):
        TrafficModel().bucket_at(datetime(2026, 12, 1, 8, 0))


def test_departures_between_give_one_departure_per_bucket_met() -> None:
    model = TrafficModel()
    found = model.departures_between(local(6, 0), local(10, 0))
    assert found == (local(6, 0), local(7, 0), local(9, 30))
    assert [model.bucket_at(d).name for d in found] == ["night", "morning_rush", "midday"]
    assert model.departures_between(local(10), local(11)) == (local(10),)
    whole_day = model.departures_between(local(12), local(12) + timedelta(days=1))
    assert {model.bucket_at(d).name for d in whole_day} == {b.name for b in model.buckets}


def test_bicycles_ride_at_free_flow_in_every_bucket_by_default() -> None:
    model = TrafficModel()
    rush = model.bucket_named("morning_rush")
    assert model.bucket_for(Profile.CAR, rush).factor(RoadClass.PRIMARY) == 0.65
    assert model.bucket_for(Profile.BICYCLE, rush).is_free_flow
    assert not rush.is_free_flow
    assert model.bucket_named("night").is_free_flow


def test_equal_speed_tables_share_a_dataset_key() -> None:
    a = TimeBucket(name="a", start=time(7), factors={RoadClass.PRIMARY: 0.5})
    b = TimeBucket(name="b", start=time(8), factors={RoadClass.PRIMARY: 0.5, RoadClass.LOCAL: 1})
    c = TimeBucket(name="c", start=time(9), factors={RoadClass.PRIMARY: 0.6})
    assert dataset_key(Profile.CAR, a) == dataset_key(Profile.CAR, b)
    assert dataset_key(Profile.CAR, a) != dataset_key(Profile.CAR, c)
    assert dataset_key(Profile.CAR, a) != dataset_key(Profile.BICYCLE, a)


@pytest.mark.parametrize(
    "broken",
    [
        {"timezone": "Mars/Olympus"},
        {"buckets": []},
        {"buckets": [{"name": "a", "start": "07:00"}, {"name": "a", "start": "08:00"}]},
        {"buckets": [{"name": "a", "start": "07:00"}, {"name": "b", "start": "07:00"}]},
        {"buckets": [{"name": "a", "start": "07:00", "factors": {"primary": 0}}]},
        {"buckets": [{"name": "a", "start": "07:00", "factors": {"footpath": 0.5}}]},
    ],
)
def test_a_broken_traffic_model_is_refused(broken: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TrafficModel.model_validate(broken)


def test_the_traffic_model_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "ROUTING_TRAFFIC",
        '{"timezone": "Europe/Zurich", "buckets": [{"name": "day", "start": "06:00",'
        ' "factors": {"primary": 0.7}}, {"name": "night", "start": "20:00"}]}',
    )
    traffic = RoutingSettings().traffic
    assert traffic.timezone == "Europe/Zurich"
    assert traffic.bucket_named("day").factor(RoadClass.PRIMARY) == 0.7
    assert traffic.bucket_at(datetime(2026, 12, 1, 3, tzinfo=UTC)).name == "night"
