"""Fleet use cases on the in-memory unit of work: adds never overwrite, replaces never re-create,
and every refusal is NotFound or IdTaken."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from planner.domain.depots import StoredVehicle
from planner.service_layer import fleet, pending

from .conftest import DAY, T, depot, order, van
from .fakes import FakeUnitOfWork, FakeUnitsOfWork

NOW = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def _units() -> tuple[FakeUnitOfWork, FakeUnitsOfWork]:
    uow = FakeUnitOfWork()
    return uow, FakeUnitsOfWork(uow)


async def test_a_new_depot_gets_an_id_and_dates_the_orders_waiting_for_it() -> None:
    uow, tx = _units()
    await pending.record_order(uow, T, order("o1", depot_id="new"), NOW, "order.created")
    named = await fleet.create_depot(tx, T, "new", depot().spec)
    assert uow.pending.orders[T, "o1"].service_date == DAY
    generated = await fleet.create_depot(tx, T, None, depot().spec)
    assert generated.id.startswith("dep_")
    assert [d.id for d in await fleet.list_depots(tx, T)] == ["new", generated.id]
    assert await fleet.get_depot(tx, T, "new") == named


async def test_a_depot_id_in_use_is_refused_and_kept() -> None:
    uow, tx = _units()
    await fleet.create_depot(tx, T, "d1", depot().spec)
    with pytest.raises(fleet.IdTaken, match="depot 'd1' exists"):
        await fleet.create_depot(tx, T, "d1", depot(name="Other").spec)
    assert uow.depots.depots[T, "d1"] == depot()


async def test_replacing_a_depot_redates_its_orders_and_never_creates_one() -> None:
    uow, tx = _units()
    await pending.record_order(uow, T, order("o1"), NOW, "order.created")
    with pytest.raises(fleet.NotFound, match="no depot 'd1'"):
        await fleet.replace_depot(tx, T, "d1", depot().spec)
    assert uow.depots.depots == {}
    await uow.depots.save(depot())  # stored without placing its orders
    await fleet.replace_depot(tx, T, "d1", depot(name="Renamed").spec)
    assert uow.depots.depots[T, "d1"].spec.name == "Renamed"
    assert uow.pending.orders[T, "o1"].service_date == DAY


async def test_unknown_depots_and_vehicles_are_not_found() -> None:
    _, tx = _units()
    with pytest.raises(fleet.NotFound, match="no depot 'd1'"):
        await fleet.get_depot(tx, T, "d1")
    with pytest.raises(fleet.NotFound, match="no depot 'd1'"):
        await fleet.delete_depot(tx, T, "d1")
    with pytest.raises(fleet.NotFound, match="no depot 'd1'"):
        await fleet.list_vehicles(tx, T, "d1")
    with pytest.raises(fleet.NotFound, match="no vehicle 'v1'"):
        await fleet.get_vehicle(tx, T, "v1")
    with pytest.raises(fleet.NotFound, match="no vehicle 'v1'"):
        await fleet.replace_vehicle(tx, T, "v1", van().spec)
    with pytest.raises(fleet.NotFound, match="no vehicle 'v1'"):
        await fleet.delete_vehicle(tx, T, "v1")


async def test_a_vehicle_needs_its_depot_and_a_free_id() -> None:
    uow, tx = _units()
    with pytest.raises(fleet.NotFound, match="no depot 'd1'"):
        await fleet.create_vehicle(tx, T, "d1", "v1", van().spec)
    assert uow.depots.vehicles == {}
    await fleet.create_depot(tx, T, "d1", depot().spec)
    assert await fleet.create_vehicle(tx, T, "d1", "v1", van().spec) == van()
    with pytest.raises(fleet.IdTaken, match="vehicle 'v1' exists"):
        await fleet.create_vehicle(tx, T, "d1", "v1", van(name="Other").spec)
    generated = await fleet.create_vehicle(tx, T, "d1", None, van().spec)
    assert generated.id.startswith("veh_")
    assert [v.id for v in await fleet.list_vehicles(tx, T, "d1")] == ["v1", generated.id]


async def test_a_replaced_vehicle_stays_with_its_depot() -> None:
    uow, tx = _units()
    await uow.depots.save(depot())
    await uow.depots.save_vehicle(van())
    replaced = await fleet.replace_vehicle(tx, T, "v1", van(name="Renamed").spec)
    assert replaced == van(name="Renamed") and replaced.depot_id == "d1"
    assert await fleet.get_vehicle(tx, T, "v1") == replaced
    await fleet.delete_vehicle(tx, T, "v1")
    assert uow.depots.vehicles == {}


async def test_a_vehicle_deleted_while_it_is_replaced_stays_deleted() -> None:
    uow, tx = _units()
    await uow.depots.save(depot())
    await uow.depots.save_vehicle(van())
    update = uow.depots.update_vehicle

    async def deleted_first(vehicle: StoredVehicle) -> bool:
        await uow.depots.delete_vehicle(T, vehicle.id)  # another request's delete won the race
        return await update(vehicle)

    uow.depots.update_vehicle = deleted_first  # type: ignore[method-assign]
    with pytest.raises(fleet.NotFound, match="no vehicle 'v1'"):
        await fleet.replace_vehicle(tx, T, "v1", van(name="Renamed").spec)
    assert uow.depots.vehicles == {}
