"""Time conversions around the depot's time zone, and the solver's view of the fleet."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from planner.domain.model import VehicleKind
from planner.service_layer.clock import service_date_of, to_seconds, to_utc, wall_clock_seconds
from planner.service_layer.problem import build_problem, vehicle_model
from pydantic import ValidationError

from .conftest import DAY, ZONE, depot, order, van

SPRING_FORWARD = date(2030, 3, 31)  # Berlin: 02:00 CET becomes 03:00 CEST


def test_seconds_since_local_midnight_round_trip_to_utc() -> None:
    assert to_utc(DAY, ZONE, 8 * 3600) == datetime(2030, 5, 6, 6, 0, tzinfo=UTC)
    assert to_seconds(DAY, ZONE, datetime(2030, 5, 6, 6, 0, tzinfo=UTC)) == 8 * 3600


def test_on_the_day_clocks_change_local_times_are_elapsed_seconds() -> None:
    assert wall_clock_seconds(SPRING_FORWARD, ZONE, "08:00") == 7 * 3600
    assert to_utc(SPRING_FORWARD, ZONE, 7 * 3600) == datetime(2030, 3, 31, 6, 0, tzinfo=UTC)


def test_service_date_is_the_local_date_of_the_first_window() -> None:
    late_evening_utc = order("o", start="00:30", end="02:00")  # 22:30 UTC the day before
    assert late_evening_utc.windows[0].start.date() == date(2030, 5, 5)
    assert service_date_of(late_evening_utc.windows, ZONE) == DAY


def test_problem_carries_local_times_and_kind_specific_limits() -> None:
    ev = van(
        "ev1",
        kind="ev",
        battery_range_km=120,
        breaks=[{"duration_min": 30, "earliest_start": "12:00", "latest_start": "13:00"}],
    )
    problem = build_problem(depot(), [van(), ev], [order("o1", start="09:00", end="11:00")], DAY)
    assert problem.depot.opening.start == 6 * 3600
    assert problem.orders[0].windows[0].start == 9 * 3600
    model = problem.vehicles[1]
    assert model.kind == VehicleKind.EV and model.battery_range_m == 120_000
    assert model.breaks[0].duration == 1800 and model.breaks[0].earliest_start == 12 * 3600
    drone = vehicle_model(
        van("dr", kind="drone", max_radius_km=8, speed_kmh=72, capacity={"weight_kg": 2}), DAY, ZONE
    )
    assert drone.max_radius_m == 8000 and drone.speed_mps == pytest.approx(20.0)


def test_invalid_configuration_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        van(shift={"start": "18:00", "end": "08:00"})
    assert info.value.errors()[0]["loc"] == ("shift", "end")
    with pytest.raises(ValidationError) as info:
        depot(time_zone="Europe/Atlantis")
    assert info.value.errors()[0]["loc"] == ("time_zone",)
