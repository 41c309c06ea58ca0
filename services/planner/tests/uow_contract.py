"""One contract for the UnitOfWork port, run against the in-memory fake (unit) and the
PostgreSQL one (integration): the fleet, pending orders by date, debounced re-plan requests
and once-a-day cutoffs behave alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lastmile_common.events.orders import OrderSnapshot
from planner.service_layer.ports import UnitOfWork
from planner.service_layer.records import PendingOrder

from .unit.service_layer.conftest import DAY, T, depot, order, van

OTHER = "tenant2"
T0 = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)


def pending(order_id: str, depot_id: str = "d1", day: object = DAY) -> PendingOrder:
    """An open order waiting to be planned on `day`."""
    return PendingOrder(T, order_id, depot_id, day, "open", 1, order(order_id, depot_id))  # type: ignore[arg-type]


def _as_snapshot(snapshot: OrderSnapshot) -> OrderSnapshot:
    """The snapshot's fields alone (the fake keeps the event it was given, PostgreSQL the data)."""
    return OrderSnapshot.model_validate(snapshot.model_dump(mode="json"))


class UnitOfWorkContract:
    """The tests; a subclass provides `uow`, a fresh unit of work (tenants T and OTHER)."""

    async def test_depots_and_vehicles_are_per_tenant_and_deletable(self, uow: UnitOfWork) -> None:
        await uow.depots.save(depot("d1"))
        await uow.depots.save_vehicle(van("v1", "d1"))
        assert await uow.depots.get(T, "d1") == depot("d1")
        assert await uow.depots.get(OTHER, "d1") is None
        assert await uow.depots.vehicles_of(T, "d1") == [van("v1", "d1")]
        assert await uow.depots.vehicles_of(OTHER, "d1") == []
        assert [d.id for d in await uow.depots.of_tenant(T)] == ["d1"]
        assert await uow.depots.delete_vehicle(T, "v1") is True
        assert await uow.depots.delete_vehicle(T, "v1") is False
        assert await uow.depots.get_vehicle(T, "v1") is None
        assert await uow.depots.delete(T, "d1") is True
        assert await uow.depots.get(T, "d1") is None

    async def test_add_never_overwrites_and_update_never_creates(self, uow: UnitOfWork) -> None:
        assert await uow.depots.update(depot("d1")) is False
        assert await uow.depots.hold(T, "d1") is False
        assert await uow.depots.add(depot("d1")) is True
        assert await uow.depots.add(depot("d1", name="Other")) is False
        assert await uow.depots.get(T, "d1") == depot("d1")
        assert await uow.depots.hold(T, "d1") is True
        assert await uow.depots.hold(OTHER, "d1") is False
        assert await uow.depots.update(depot("d1", name="Renamed")) is True
        assert await uow.depots.get(T, "d1") == depot("d1", name="Renamed")
        assert await uow.depots.update_vehicle(van("v1", "d1")) is False
        assert await uow.depots.add_vehicle(van("v1", "d1")) is True
        assert await uow.depots.add_vehicle(van("v1", "d1", name="Other")) is False
        assert await uow.depots.update_vehicle(van("v1", "d1", name="Renamed")) is True
        assert await uow.depots.get_vehicle(T, "v1") == van("v1", "d1", name="Renamed")
        assert await uow.depots.delete_vehicle(T, "v1") is True
        assert await uow.depots.update_vehicle(van("v1", "d1")) is False
        assert await uow.depots.get_vehicle(T, "v1") is None

    async def test_pending_orders_of_a_date_in_order_id_order(self, uow: UnitOfWork) -> None:
        await uow.depots.save(depot("d1"))
        for order_id in ("o3", "o1", "o2"):
            await uow.pending.save(pending(order_id))
        await uow.pending.save(pending("o9", day=DAY + timedelta(days=1)))
        found = await uow.pending.of_date(T, "d1", DAY)
        assert [o.order_id for o in found] == ["o1", "o2", "o3"]
        assert sorted(o.order_id for o in await uow.pending.of_depot(T, "d1")) == [
            "o1",
            "o2",
            "o3",
            "o9",
        ]
        saved = await uow.pending.get(T, "o1")
        assert saved is not None
        assert _as_snapshot(saved.snapshot) == _as_snapshot(pending("o1").snapshot)
        assert await uow.pending.get(OTHER, "o1") is None

    async def test_progress_keeps_when_tracking_saw_it(self, uow: UnitOfWork) -> None:
        await uow.depots.save(depot("d1"))
        await uow.pending.save(replace(pending("o1"), progress="arrived", progress_at=T0))
        saved = await uow.pending.get(T, "o1")
        assert saved is not None
        assert (saved.progress, saved.progress_at) == ("arrived", T0)

    async def test_replan_requests_merge_and_clear_only_when_unchanged(
        self, uow: UnitOfWork
    ) -> None:
        await uow.depots.save(depot("d1"))
        await uow.replans.request(T, "d1", DAY, T0, "late order", event_time=T0)
        later = T0 + timedelta(seconds=5)
        await uow.replans.request(T, "d1", DAY, later, "cancelled")
        [request] = await uow.replans.due(later)
        assert request.reasons == ("late order", "cancelled")
        assert request.requested_at == later and request.event_time == T0
        assert await uow.replans.due(T0) == []  # the debounce moved with the newest request
        stale = replace(request, requested_at=T0)
        assert await uow.replans.clear(stale) is False
        assert await uow.replans.clear(request) is True
        assert await uow.replans.due(later) == []

    async def test_a_cutoff_is_claimed_once(self, uow: UnitOfWork) -> None:
        await uow.depots.save(depot("d1"))
        assert await uow.cutoffs.claim(T, "d1", DAY, "05:00") is True
        assert await uow.cutoffs.claim(T, "d1", DAY, "05:00") is False
        assert await uow.cutoffs.claim(T, "d1", DAY, "12:00") is True
        assert await uow.cutoffs.claim(T, "d1", DAY + timedelta(days=1), "05:00") is True

    async def test_only_depots_with_cutoffs_are_swept(self, uow: UnitOfWork) -> None:
        await uow.depots.save(depot("d1"))
        await uow.depots.save(depot("d2", cutoff_times=[]))
        swept = {(d.tenant_id, d.id) for d in await uow.depots.with_cutoffs()}
        assert (T, "d1") in swept and (T, "d2") not in swept
