"""Fleet and depot CRUD, scoped to the caller's tenant: requests into the fleet use cases
(`service_layer/fleet.py`), their answers and refusals into responses and problems."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Response
from lastmile_common.http.problems import Problem

from planner.domain.depots import DepotSpec, StoredDepot, StoredVehicle, VehicleSpec
from planner.entrypoints.deps import PlannerDep, TenantDep
from planner.entrypoints.schemas import DepotCreate, DepotView, VehicleCreate, VehicleView
from planner.service_layer import fleet

router = APIRouter(prefix="/v1", tags=["fleet"])


def _depot_view(depot: StoredDepot) -> DepotView:
    return DepotView(id=depot.id, **depot.spec.model_dump())


def _vehicle_view(vehicle: StoredVehicle) -> VehicleView:
    return VehicleView(id=vehicle.id, depot_id=vehicle.depot_id, **vehicle.spec.model_dump())


@contextmanager
def _problems() -> Iterator[None]:
    """A use case's refusal as problem+json: unknown (or deleted) is 404, an id in use 409."""
    try:
        yield
    except fleet.NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None
    except fleet.IdTaken as exc:
        raise Problem(
            409, "Conflict", str(exc), errors=[{"field": "body.id", "message": "already used"}]
        ) from None


@router.post("/depots", status_code=201, response_model=DepotView)
async def create_depot(body: DepotCreate, tenant: TenantDep, ctx: PlannerDep) -> DepotView:
    """Add a depot; orders already received for it are placed on their service dates."""
    spec = DepotSpec.model_validate(body.model_dump(exclude={"id"}))
    with _problems():
        return _depot_view(await fleet.create_depot(ctx.tx, tenant, body.id, spec))


@router.get("/depots", response_model=list[DepotView])
async def list_depots(tenant: TenantDep, ctx: PlannerDep) -> list[DepotView]:
    """The tenant's depots."""
    return [_depot_view(d) for d in await fleet.list_depots(ctx.tx, tenant)]


@router.get("/depots/{depot_id}", response_model=DepotView)
async def get_depot(depot_id: str, tenant: TenantDep, ctx: PlannerDep) -> DepotView:
    """One depot."""
    with _problems():
        return _depot_view(await fleet.get_depot(ctx.tx, tenant, depot_id))


@router.put("/depots/{depot_id}", response_model=DepotView)
async def replace_depot(
    depot_id: str, body: DepotSpec, tenant: TenantDep, ctx: PlannerDep
) -> DepotView:
    """Replace a depot's configuration (a new time zone re-dates its pending orders)."""
    with _problems():
        return _depot_view(await fleet.replace_depot(ctx.tx, tenant, depot_id, body))


@router.delete("/depots/{depot_id}", status_code=204)
async def delete_depot(depot_id: str, tenant: TenantDep, ctx: PlannerDep) -> Response:
    """Delete a depot and its vehicles (its orders stay pending until it exists again)."""
    with _problems():
        await fleet.delete_depot(ctx.tx, tenant, depot_id)
    return Response(status_code=204)


@router.post("/depots/{depot_id}/vehicles", status_code=201, response_model=VehicleView)
async def create_vehicle(
    depot_id: str, body: VehicleCreate, tenant: TenantDep, ctx: PlannerDep
) -> VehicleView:
    """Add a vehicle (and its driver's shift) to a depot."""
    spec = VehicleSpec.model_validate(body.model_dump(exclude={"id"}))
    with _problems():
        vehicle = await fleet.create_vehicle(ctx.tx, tenant, depot_id, body.id, spec)
    return _vehicle_view(vehicle)


@router.get("/depots/{depot_id}/vehicles", response_model=list[VehicleView])
async def list_vehicles(depot_id: str, tenant: TenantDep, ctx: PlannerDep) -> list[VehicleView]:
    """A depot's vehicles."""
    with _problems():
        return [_vehicle_view(v) for v in await fleet.list_vehicles(ctx.tx, tenant, depot_id)]


@router.get("/vehicles/{vehicle_id}", response_model=VehicleView)
async def get_vehicle(vehicle_id: str, tenant: TenantDep, ctx: PlannerDep) -> VehicleView:
    """One vehicle."""
    with _problems():
        return _vehicle_view(await fleet.get_vehicle(ctx.tx, tenant, vehicle_id))


@router.put("/vehicles/{vehicle_id}", response_model=VehicleView)
async def replace_vehicle(
    vehicle_id: str, body: VehicleSpec, tenant: TenantDep, ctx: PlannerDep
) -> VehicleView:
    """Replace a vehicle's configuration."""
    with _problems():
        return _vehicle_view(await fleet.replace_vehicle(ctx.tx, tenant, vehicle_id, body))


@router.delete("/vehicles/{vehicle_id}", status_code=204)
async def delete_vehicle(vehicle_id: str, tenant: TenantDep, ctx: PlannerDep) -> Response:
    """Remove a vehicle from its depot."""
    with _problems():
        await fleet.delete_vehicle(ctx.tx, tenant, vehicle_id)
    return Response(status_code=204)
