"""The planning context: plan.completed, route.planned, route.updated, route.cancelled."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lastmile_common.events.base import EventData, GeoPoint, TimeWindow, UtcDatetime

ReasonCode = Literal[
    "window_unreachable",
    "too_heavy",
    "too_large",
    "skill_missing",
    "outside_range",
    "shift_too_short",
    "fleet_full",
    "no_road_access",
]


class Load(EventData):
    """Load carried, in every capacity dimension."""

    weight_kg: float = 0.0
    volume_m3: float = 0.0
    parcels: int = 0


class PlannedStop(EventData):
    """One stop of a route with its planned times and where its parcel is loaded."""

    stop_id: str
    sequence: int = Field(ge=1)
    order_id: str
    location: GeoPoint
    planned_arrival: UtcDatetime
    planned_departure: UtcDatetime
    service_time_s: int = Field(ge=0)
    windows: tuple[TimeWindow, ...] = ()
    load_label: str = ""
    locked: bool = False
    address: str = Field(default="", description="the delivery address on one line, for the driver")
    recipient_name: str = ""
    phone: str | None = Field(default=None, description="the recipient's phone (E.164), to call")
    note: str = Field(default="", description="the customer's note for the driver")
    skills: tuple[str, ...] = Field(
        default=(), description="what the stop requires (e.g. age_check): asked at the door"
    )


class LoadPlanEntry(EventData):
    """Where a parcel goes in the vehicle: loaded in `load_sequence`, found under `label`."""

    order_id: str
    load_sequence: int = Field(ge=1)
    label: str


class PlannedBreak(EventData):
    """A driver's break the plan placed in the route (the vehicle stands still)."""

    start: UtcDatetime
    end: UtcDatetime


class RoutePlanned(EventData):
    """A vehicle's route for a service date, version 1."""

    plan_id: str
    route_id: str
    depot_id: str
    vehicle_id: str
    vehicle_kind: str
    driver_id: str | None = None
    version: int = Field(default=1, ge=1)
    service_date: str = Field(description="YYYY-MM-DD in the depot's time zone")
    time_zone: str = "UTC"
    depot_location: GeoPoint
    start_time: UtcDatetime
    end_time: UtcDatetime
    distance_m: float = Field(ge=0)
    duration_s: float = Field(ge=0)
    load: Load
    stops: tuple[PlannedStop, ...]
    load_plan: tuple[LoadPlanEntry, ...] = ()
    geometry: str | None = Field(
        default=None,
        description=(
            "The route's path from start through every stop to its end, on roads: a Google"
            " encoded polyline (precision 5, lat/lon order); a drone's is its straight flight."
            " Map data © OpenStreetMap contributors (ODbL)."
        ),
    )
    breaks: tuple[PlannedBreak, ...] = Field(
        default=(), description="the drivers' breaks the plan placed, in time order"
    )


class RouteUpdated(RoutePlanned):
    """A re-planned route; a higher `version` supersedes a lower one."""

    reason: str = ""


class RouteCancelled(EventData):
    """A route no longer runs; its unstarted orders go back to the pending set."""

    route_id: str
    depot_id: str
    version: int = Field(ge=1)
    reason: str = ""


class UnassignedOrder(EventData):
    """An order the plan could not place, and why, in words a dispatcher understands."""

    order_id: str
    reason_code: ReasonCode
    reason: str


class PlanCompleted(EventData):
    """A plan for a depot and service date finished."""

    plan_id: str
    depot_id: str
    service_date: str
    route_ids: tuple[str, ...]
    unassigned: tuple[UnassignedOrder, ...] = ()
    total_distance_m: float = 0.0
    total_duration_s: float = 0.0
    solve_seconds: float = 0.0
