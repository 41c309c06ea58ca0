"""Fleet use cases: add, read, replace and delete depots and vehicles, each in one unit of work.

Two requests racing on one depot or vehicle end as `NotFound` or `IdTaken` (404, 409 over HTTP),
never as a database error: adds insert only if the id is free, replaces update only what still
exists, and adding a vehicle holds its depot so that no delete of it commits meanwhile.
"""

from __future__ import annotations

from planner.domain.depots import DepotSpec, StoredDepot, StoredVehicle, VehicleSpec
from planner.service_layer.pending import place_depot_orders
from planner.service_layer.ports import UnitsOfWork
from planner.service_layer.publishing import new_id


class NotFound(Exception):
    """No such depot or vehicle for this tenant (or it was deleted meanwhile)."""

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"no {what} {ident!r}")
        self.what, self.ident = what, ident


class IdTaken(Exception):
    """The depot or vehicle id is in use: adding never overwrites."""

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"{what} {ident!r} exists; use PUT to change it")
        self.what, self.ident = what, ident


async def create_depot(
    tx: UnitsOfWork, tenant_id: str, depot_id: str | None, spec: DepotSpec
) -> StoredDepot:
    """Add a depot (id generated when None); orders already received for it get their dates."""
    depot = StoredDepot(tenant_id, depot_id or new_id("dep"), spec)
    async with tx() as uow:
        # One insert decides: of two requests racing with the same id, the second is taken.
        if not await uow.depots.add(depot):
            raise IdTaken("depot", depot.id)
        await place_depot_orders(uow, tenant_id, depot.id)
    return depot


async def list_depots(tx: UnitsOfWork, tenant_id: str) -> list[StoredDepot]:
    """The tenant's depots, oldest first."""
    async with tx() as uow:
        return await uow.depots.of_tenant(tenant_id)


async def get_depot(tx: UnitsOfWork, tenant_id: str, depot_id: str) -> StoredDepot:
    """One depot."""
    async with tx() as uow:
        depot = await uow.depots.get(tenant_id, depot_id)
    if depot is None:
        raise NotFound("depot", depot_id)
    return depot


async def replace_depot(
    tx: UnitsOfWork, tenant_id: str, depot_id: str, spec: DepotSpec
) -> StoredDepot:
    """Replace a depot's configuration (a new time zone re-dates its pending orders)."""
    depot = StoredDepot(tenant_id, depot_id, spec)
    async with tx() as uow:
        # An update, not an upsert: a depot deleted meanwhile stays deleted.
        if not await uow.depots.update(depot):
            raise NotFound("depot", depot_id)
        await place_depot_orders(uow, tenant_id, depot_id)
    return depot


async def delete_depot(tx: UnitsOfWork, tenant_id: str, depot_id: str) -> None:
    """Delete a depot and its vehicles (its orders stay pending until it exists again)."""
    async with tx() as uow:
        if not await uow.depots.delete(tenant_id, depot_id):
            raise NotFound("depot", depot_id)


async def create_vehicle(
    tx: UnitsOfWork, tenant_id: str, depot_id: str, vehicle_id: str | None, spec: VehicleSpec
) -> StoredVehicle:
    """Add a vehicle (and its driver's shift) to a depot (id generated when None)."""
    vehicle = StoredVehicle(tenant_id, vehicle_id or new_id("veh"), depot_id, spec)
    async with tx() as uow:
        # Held, the depot cannot be deleted before this vehicle is in (a foreign-key violation).
        if not await uow.depots.hold(tenant_id, depot_id):
            raise NotFound("depot", depot_id)
        if not await uow.depots.add_vehicle(vehicle):
            raise IdTaken("vehicle", vehicle.id)
    return vehicle


async def list_vehicles(tx: UnitsOfWork, tenant_id: str, depot_id: str) -> list[StoredVehicle]:
    """A depot's vehicles, oldest first."""
    async with tx() as uow:
        if await uow.depots.get(tenant_id, depot_id) is None:
            raise NotFound("depot", depot_id)
        return await uow.depots.vehicles_of(tenant_id, depot_id)


async def get_vehicle(tx: UnitsOfWork, tenant_id: str, vehicle_id: str) -> StoredVehicle:
    """One vehicle."""
    async with tx() as uow:
        vehicle = await uow.depots.get_vehicle(tenant_id, vehicle_id)
    if vehicle is None:
        raise NotFound("vehicle", vehicle_id)
    return vehicle


async def replace_vehicle(
    tx: UnitsOfWork, tenant_id: str, vehicle_id: str, spec: VehicleSpec
) -> StoredVehicle:
    """Replace a vehicle's configuration; it stays with its depot."""
    async with tx() as uow:
        old = await uow.depots.get_vehicle(tenant_id, vehicle_id)
        if old is None:
            raise NotFound("vehicle", vehicle_id)
        vehicle = StoredVehicle(tenant_id, vehicle_id, old.depot_id, spec)
        # An update: a vehicle deleted meanwhile (or with its depot) stays deleted.
        if not await uow.depots.update_vehicle(vehicle):
            raise NotFound("vehicle", vehicle_id)
    return vehicle


async def delete_vehicle(tx: UnitsOfWork, tenant_id: str, vehicle_id: str) -> None:
    """Remove a vehicle from its depot."""
    async with tx() as uow:
        if not await uow.depots.delete_vehicle(tenant_id, vehicle_id):
            raise NotFound("vehicle", vehicle_id)
