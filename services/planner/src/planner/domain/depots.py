"""Depots and vehicles: their configuration as the API accepts and stores it, validated field by
field, and the stored depot and vehicle (owner, id, configuration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lastmile_common.events.base import GeoPoint
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

Clock = Annotated[
    str,
    Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", examples=["08:00"], description="HH:MM"),
]
Skill = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["refrigerated"])]
VehicleKindName = Literal["van", "ev", "cargo_bike", "partner", "gig", "drone"]


def clock_seconds(value: str) -> int:
    """ "HH:MM" as seconds after midnight (wall clock)."""
    hours, minutes = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60


class Hours(BaseModel):
    """A daily span in the depot's local time, e.g. opening hours or a driver's shift."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: Clock
    end: Clock

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and clock_seconds(end) <= clock_seconds(start):
            raise ValueError("end must be after start")
        return end


class BreakSpec(BaseModel):
    """A break of `duration_min` minutes starting between `earliest_start` and `latest_start`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duration_min: int = Field(ge=1, le=240)
    earliest_start: Clock
    latest_start: Clock

    @field_validator("latest_start")
    @classmethod
    def _latest_after_earliest(cls, latest: str, info: ValidationInfo) -> str:
        earliest = info.data.get("earliest_start")
        if earliest is not None and clock_seconds(latest) < clock_seconds(earliest):
            raise ValueError("latest_start must not be before earliest_start")
        return latest


class CapacitySpec(BaseModel):
    """What a vehicle carries; a dimension left out is not limited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight_kg: float = Field(ge=0, le=50_000)
    volume_m3: float | None = Field(default=None, ge=0, le=200)
    parcels: int | None = Field(default=None, ge=0, le=100_000)


DEPOT_EXAMPLE: dict[str, Any] = {
    "name": "Schaan hub",
    "location": {"lat": 47.1641, "lon": 9.5014},
    "time_zone": "Europe/Vaduz",
    "opening_hours": {"start": "07:00", "end": "20:00"},
    "loading_time_min": 15,
    "cutoff_times": ["06:00"],
}


class DepotSpec(BaseModel):
    """A depot: where routes start, its time zone, opening hours and planning cut-offs."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [DEPOT_EXAMPLE]}
    )

    name: str = Field(min_length=1, max_length=200)
    location: GeoPoint
    time_zone: str = Field(description="IANA time zone, e.g. Europe/Berlin")
    opening_hours: Hours
    loading_time_min: int = Field(default=0, ge=0, le=240)
    cutoff_times: tuple[Clock, ...] = Field(default=(), max_length=24)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value


VEHICLE_EXAMPLE: dict[str, Any] = {
    "name": "Van 1",
    "kind": "van",
    "capacity": {"weight_kg": 800, "volume_m3": 6, "parcels": 120},
    "skills": ["refrigerated"],
    "cost_per_km": 0.35,
    "cost_per_hour": 22.0,
    "fixed_cost": 40.0,
    "shift": {"start": "08:00", "end": "17:00"},
    "breaks": [{"duration_min": 30, "earliest_start": "12:00", "latest_start": "13:30"}],
    "max_working_time_min": 540,
}


class VehicleSpec(BaseModel):
    """A vehicle with its driver's shift; kind-specific fields are checked against the kind."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [VEHICLE_EXAMPLE]}
    )

    name: str = Field(min_length=1, max_length=200)
    kind: VehicleKindName
    capacity: CapacitySpec
    skills: tuple[Skill, ...] = ()
    cost_per_km: float = Field(default=0.0, ge=0)
    cost_per_hour: float = Field(default=0.0, ge=0)
    fixed_cost: float = Field(default=0.0, ge=0)
    start_location: GeoPoint | None = None
    end_location: GeoPoint | None = None
    shift: Hours = Field(description="the driver's shift, or a gig driver's offered block")
    breaks: tuple[BreakSpec, ...] = Field(default=(), max_length=5)
    max_working_time_min: int | None = Field(default=None, ge=1, le=24 * 60)
    driver_id: str | None = Field(default=None, max_length=100)
    battery_range_km: float | None = Field(
        default=None, gt=0, le=2000, validate_default=True, description="EVs: required"
    )
    carrier_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        validate_default=True,
        description="partner fleet vehicles: required",
    )
    speed_kmh: float | None = Field(
        default=None, gt=0, le=200, description="own speed (drones, bikes)"
    )
    max_radius_km: float | None = Field(
        default=None, gt=0, le=100, validate_default=True, description="drones: required"
    )

    @field_validator("battery_range_km")
    @classmethod
    def _ev_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None and info.data.get("kind") == "ev":
            raise ValueError("an EV needs its battery range")
        return value

    @field_validator("carrier_id")
    @classmethod
    def _partner_carrier(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("kind") == "partner":
            raise ValueError("a partner fleet vehicle needs its carrier id")
        return value

    @field_validator("max_radius_km")
    @classmethod
    def _drone_radius(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None and info.data.get("kind") == "drone":
            raise ValueError("a drone needs its maximum radius")
        return value


@dataclass(frozen=True)
class StoredDepot:
    """A depot as stored: id, owner and configuration."""

    tenant_id: str
    id: str
    spec: DepotSpec


@dataclass(frozen=True)
class StoredVehicle:
    """A vehicle as stored: id, depot and configuration."""

    tenant_id: str
    id: str
    depot_id: str
    spec: VehicleSpec
