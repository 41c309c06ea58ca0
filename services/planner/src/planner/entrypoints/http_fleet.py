"""Fleet and depot CRUD, scoped to the caller's tenant."""

from __future__ import annotations

from fastapi import APIRouter, Response
from lastmile_common.http.problems import Problem

from planner.entrypoints.deps import PlannerDep, TenantDep
from planner.entrypoints.schemas import DepotCreate, DepotView, VehicleCreate, VehicleView
from planner.service_layer import pending
from planner.service_layer.fleet import DepotSpec, VehicleSpec
from planner.service_layer.problem import StoredDepot, StoredVehicle
from planner.service_layer.publishing import new_id

router = APIRouter(prefix="/v1", tags=["fleet"])


def _depot_view(depot: StoredDepot) -> DepotView:
    return DepotView(id=depot.id, **depot.spec.model_dump())


def _vehicle_view(vehicle: StoredVehicle) -> VehicleView:
    return VehicleView(id=vehicle.id, depot_id=vehicle.depot_id, **vehicle.spec.model_dump())


def _not_found(what: str, ident: str) -> Problem:
    return Problem(404, "Not found", f"no {what} {ident!r}")


def _taken(what: str, ident: str) -> Problem:
    return Problem(
        409,
        "Conflict",
        f"{what} {ident!r} exists; use PUT to change it",
        errors=[{"field": "body.id", "message": "already used"}],
    )


@router.post("/depots", status_code=201, response_model=DepotView)
async def create_depot(body: DepotCreate, tenant: TenantDep, ctx: PlannerDep) -> DepotView:
    """Add a depot; orders already received for it are placed on their service dates."""
    depot_id = body.id or new_id("dep")
    spec = DepotSpec.model_validate(body.model_dump(exclude={"id"}))
    depot = StoredDepot(tenant, depot_id, spec)
    async with ctx.tx() as uow:
        # One insert decides: of two requests racing with the same id, the second is the 409.
        if not await uow.depots.add(depot):
            raise _taken("depot", depot_id)
        await pending.place_depot_orders(uow, tenant, depot_id)
    return _depot_view(depot)


@router.get("/depots", response_model=list[DepotView])
async def list_depots(tenant: TenantDep, ctx: PlannerDep) -> list[DepotView]:
    """The tenant's depots."""
    async with ctx.tx() as uow:
        return [_depot_view(d) for d in await uow.depots.of_tenant(tenant)]


@router.get("/depots/{depot_id}", response_model=DepotView)
async def get_depot(depot_id: str, tenant: TenantDep, ctx: PlannerDep) -> DepotView:
    """One depot."""
    async with ctx.tx() as uow:
        depot = await uow.depots.get(tenant, depot_id)
    if depot is None:
        raise _not_found("depot", depot_id)
    return _depot_view(depot)


@router.put("/depots/{depot_id}", response_model=DepotView)
async def replace_depot(
    depot_id: str, body: DepotSpec, tenant: TenantDep, ctx: PlannerDep
) -> DepotView:
    """Replace a depot's configuration (a new time zone re-dates its pending orders)."""
    depot = StoredDepot(tenant, depot_id, body)
    async with ctx.tx() as uow:
        # An update, not an upsert: a depot deleted meanwhile stays deleted (404).
        if not await uow.depots.update(depot):
            raise _not_found("depot", depot_id)
        await pending.place_depot_orders(uow, tenant, depot_id)
    return _depot_view(depot)


@router.delete("/depots/{depot_id}", status_code=204)
async def delete_depot(depot_id: str, tenant: TenantDep, ctx: PlannerDep) -> Response:
    """Delete a depot and its vehicles (its orders stay pending until it exists again)."""
    async with ctx.tx() as uow:
        if not await uow.depots.delete(tenant, depot_id):
            raise _not_found("depot", depot_id)
    return Response(status_code=204)


@router.post("/depots/{depot_id}/vehicles", status_code=201, response_model=VehicleView)
async def create_vehicle(
    depot_id: str, body: VehicleCreate, tenant: TenantDep, ctx: PlannerDep
) -> VehicleView:
    """Add a vehicle (and its driver's shift) to a depot."""
    vehicle_id = body.id or new_id("veh")
    spec = VehicleSpec.model_validate(body.model_dump(exclude={"id"}))
    vehicle = StoredVehicle(tenant, vehicle_id, depot_id, spec)
    async with ctx.tx() as uow:
        # Held, the depot cannot be deleted before this vehicle is in (which would be a 500).
        if not await uow.depots.hold(tenant, depot_id):
            raise _not_found("depot", depot_id)
        if not await uow.depots.add_vehicle(vehicle):
            raise _taken("vehicle", vehicle_id)
    return _vehicle_view(vehicle)


@router.get("/depots/{depot_id}/vehicles", response_model=list[VehicleView])
async def list_vehicles(depot_id: str, tenant: TenantDep, ctx: PlannerDep) -> list[VehicleView]:
    """A depot's vehicles."""
    async with ctx.tx() as uow:
        if await uow.depots.get(tenant, depot_id) is None:
            raise _not_found("depot", depot_id)
        return [_vehicle_view(v) for v in await uow.depots.vehicles_of(tenant, depot_id)]


@router.get("/vehicles/{vehicle_id}", response_model=VehicleView)
async def get_vehicle(vehicle_id: str, tenant: TenantDep, ctx: PlannerDep) -> VehicleView:
    """One vehicle."""
    async with ctx.tx() as uow:
        vehicle = await uow.depots.get_vehicle(tenant, vehicle_id)
    if vehicle is None:
        raise _not_found("vehicle", vehicle_id)
    return _vehicle_view(vehicle)


@router.put("/vehicles/{vehicle_id}", response_model=VehicleView)
async def replace_vehicle(
    vehicle_id: str, body: VehicleSpec, tenant: TenantDep, ctx: PlannerDep
) -> VehicleView:
    """Replace a vehicle's configuration."""
    async with ctx.tx() as uow:
        old = await uow.depots.get_vehicle(tenant, vehicle_id)
        if old is None:
            raise _not_found("vehicle", vehicle_id)
        vehicle = StoredVehicle(tenant, vehicle_id, old.depot_id, body)
        # An update: a vehicle deleted meanwhile (or with its depot) stays deleted (404).
        if not await uow.depots.update_vehicle(vehicle):
            raise _not_found("vehicle", vehicle_id)
    return _vehicle_view(vehicle)


@router.delete("/vehicles/{vehicle_id}", status_code=204)
async def delete_vehicle(vehicle_id: str, tenant: TenantDep, ctx: PlannerDep) -> Response:
    """Remove a vehicle from its depot."""
    async with ctx.tx() as uow:
        if not await uow.depots.delete_vehicle(tenant, vehicle_id):
            raise _not_found("vehicle", vehicle_id)
    return Response(status_code=204)
