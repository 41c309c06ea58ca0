"""Rows of the planner's tables as the service layer's records."""

from __future__ import annotations

from typing import Any

from lastmile_common.events.orders import OrderSnapshot
from lastmile_common.events.routes import PlanCompleted, RoutePlanned, RouteUpdated

from planner.domain.depots import DepotSpec, StoredDepot, StoredVehicle, VehicleSpec
from planner.service_layer.records import PendingOrder, StoredPlan, StoredPreview, StoredRoute


def depot_of(row: Any) -> StoredDepot:
    return StoredDepot(row["tenant_id"], row["id"], DepotSpec.model_validate(row["spec"]))


def vehicle_of(row: Any) -> StoredVehicle:
    return StoredVehicle(
        row["tenant_id"], row["id"], row["depot_id"], VehicleSpec.model_validate(row["spec"])
    )


def pending_of(row: Any) -> PendingOrder:
    return PendingOrder(
        row["tenant_id"],
        row["order_id"],
        row["depot_id"],
        row["service_date"],
        row["status"],
        row["version"],
        OrderSnapshot.model_validate(row["snapshot"]),
        row["progress"],
        row["progress_at"],
    )


def preview_of(row: Any) -> StoredPreview:
    return StoredPreview(
        row["tenant_id"],
        PlanCompleted.model_validate(row["summary"]),
        tuple(RoutePlanned.model_validate(r) for r in row["routes"]),
        row["expires_at"],
    )


def plan_of(row: Any) -> StoredPlan:
    return StoredPlan(
        row["tenant_id"],
        row["id"],
        row["depot_id"],
        row["service_date"],
        row["trigger"],
        PlanCompleted.model_validate(row["summary"]),
    )


def route_of(row: Any) -> StoredRoute:
    event = row["event"]
    model = RouteUpdated if "reason" in event else RoutePlanned
    return StoredRoute(
        row["tenant_id"],
        row["id"],
        row["plan_id"],
        row["depot_id"],
        row["service_date"],
        row["vehicle_id"],
        row["version"],
        row["status"],
        model.model_validate(event),
        row["solved"],
    )
