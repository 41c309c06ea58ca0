"""HTTP request and response bodies of the planner API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lastmile_common.events.routes import PlanCompleted, RouteUpdated, UnassignedOrder
from pydantic import BaseModel, ConfigDict, Field

from planner.domain.depots import DEPOT_EXAMPLE, VEHICLE_EXAMPLE, DepotSpec, VehicleSpec

Id = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


class DepotCreate(DepotSpec):
    """A new depot; `id` is what orders name as their depot_id (generated when left out)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"id": "schaan-hub", **DEPOT_EXAMPLE}]},
    )

    id: str | None = Id


class VehicleCreate(VehicleSpec):
    """A new vehicle of a depot (`id` generated when left out)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"id": "van-1", **VEHICLE_EXAMPLE}]},
    )

    id: str | None = Id


class DepotView(DepotSpec):
    """A stored depot."""

    id: str


class VehicleView(VehicleSpec):
    """A stored vehicle."""

    id: str
    depot_id: str


class PlanRequest(BaseModel):
    """Plan a depot's service date now; a `preview` is kept a while but never published."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "depot_id": "schaan-hub",
                    "service_date": "2030-05-06",
                    "preview": False,
                    "time_limit_s": 5,
                    "seed": 0,
                }
            ]
        },
    )

    depot_id: str = Field(min_length=1, max_length=100)
    service_date: date
    preview: bool = False
    time_limit_s: float | None = Field(default=None, gt=0, le=3600)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


class RouteView(RouteUpdated):
    """A route's latest version and its status (planned, started, completed, cancelled, superseded)."""

    status: str


class PlanView(PlanCompleted):
    """A plan: its summary, routes and unassigned orders with reasons.

    A preview is kept (never published) until `expires_at`; until then GET /v1/plans/{plan_id}
    and GET /v1/routes/{route_id} answer with it, then 404.
    """

    preview: bool = False
    expires_at: datetime | None = None
    routes: tuple[RouteView, ...] = ()


class UnassignedView(BaseModel):
    """Orders of a depot's date that no route serves: with reasons, or not planned yet."""

    depot_id: str
    service_date: date
    plan_id: str | None
    unassigned: tuple[UnassignedOrder, ...]
    not_planned_yet: tuple[str, ...]


def route_view(event: Any, status: str) -> RouteView:
    """A route event with its status."""
    return RouteView.model_validate({**event.model_dump(), "status": status})
