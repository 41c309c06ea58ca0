"""Builders for small planning problems on a plane (1 unit = 1 m = 1 s of travel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from planner.domain.checker import check_plan
from planner.domain.model import (
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    PlanResult,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.solver import solve
from planner.domain.travel import EuclideanTravelTimes

DAY = TimeWindow(0, 10_000)


def order(oid: str, x: float, y: float = 0.0, **kw: Any) -> Order:
    """An order at (x, y) with one parcel and a whole-day window unless told otherwise."""
    kw.setdefault("demand", Capacity(1.0, 0.01, 1))
    kw.setdefault("service_time", 10)
    kw.setdefault("windows", (DAY,))
    return Order(oid, Location(y, x), **kw)


def vehicle(vid: str, **kw: Any) -> Vehicle:
    """A van with room for 10 parcels working the whole day unless told otherwise."""
    kw.setdefault("kind", VehicleKind.VAN)
    kw.setdefault("capacity", Capacity(100.0, 1.0, 10))
    kw.setdefault("shift", DAY)
    kw.setdefault("cost_per_km", 1.0)
    return Vehicle(vid, **kw)


def problem(vehicles: list[Vehicle], orders: list[Order], **kw: Any) -> PlanningProblem:
    """A depot at the origin of the plane with the given fleet and orders."""
    depot = kw.pop("depot", Depot("d", Location(0.0, 0.0), DAY))
    travel = kw.pop("travel", EuclideanTravelTimes())
    return PlanningProblem(depot, tuple(vehicles), tuple(orders), travel, **kw)


def plan(p: PlanningProblem, time_limit_s: float = 1.0, seed: int = 0) -> PlanResult:
    """Solve and insist the independent checker finds nothing wrong."""
    result = solve(p, time_limit_s, seed)
    errors = check_plan(p, result)
    assert errors == [], errors
    return result


def route_of(result: PlanResult, order_id: str) -> str | None:
    """Vehicle that serves an order, or None."""
    for r in result.routes:
        if any(v.order_id == order_id for v in r.visits):
            return r.vehicle_id
    return None


@pytest.fixture
def build() -> Callable[..., Any]:
    """Access to the builders (conftest modules are not importable under importlib mode)."""

    class Builders:
        order = staticmethod(order)
        vehicle = staticmethod(vehicle)
        problem = staticmethod(problem)
        plan = staticmethod(plan)
        route_of = staticmethod(route_of)

    return Builders  # type: ignore[return-value]
