"""One contract for the PlannerStore port, run against the in-memory fake (unit) and the
PostgreSQL store (integration): the fleet, pending orders by date, debounced re-plan requests
and once-a-day cutoffs behave alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lastmile_common.events.orders import OrderSnapshot
from planner.service_layer.ports import PlannerStore
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


class PlannerStoreContract:
    """The tests; a subclass provides `store`, a fresh store (tenants T and OTHER)."""

    async def test_depots_and_vehicles_are_per_tenant_and_deletable(
        self, store: PlannerStore
    ) -> None:
        await store.save_depot(depot("d1"))
        await store.save_vehicle(van("v1", "d1"))
        assert await store.get_depot(T, "d1") == depot("d1")
        assert await store.get_depot(OTHER, "d1") is None
        assert await store.list_vehicles(T, "d1") == [van("v1", "d1")]
        assert await store.list_vehicles(OTHER, "d1") == []
        assert [d.id for d in await store.list_depots(T)] == ["d1"]
        assert await store.delete_vehicle(T, "v1") is True
        assert await store.delete_vehicle(T, "v1") is False
        assert await store.get_vehicle(T, "v1") is None
        assert await store.delete_depot(T, "d1") is True
        assert await store.get_depot(T, "d1") is None

    async def test_add_never_overwrites_and_update_never_creates(self, store: PlannerStore) -> None:
        assert await store.update_depot(depot("d1")) is False
        assert await store.hold_depot(T, "d1") is False
        assert await store.add_depot(depot("d1")) is True
        assert await store.add_depot(depot("d1", name="Other")) is False
        assert await store.get_depot(T, "d1") == depot("d1")
        assert await store.hold_depot(T, "d1") is True
        assert await store.hold_depot(OTHER, "d1") is False
        assert await store.update_depot(depot("d1", name="Renamed")) is True
        assert await store.get_depot(T, "d1") == depot("d1", name="Renamed")
        assert await store.update_vehicle(van("v1", "d1")) is False
        assert await store.add_vehicle(van("v1", "d1")) is True
        assert await store.add_vehicle(van("v1", "d1", name="Other")) is False
        assert await store.update_vehicle(van("v1", "d1", name="Renamed")) is True
        assert await store.get_vehicle(T, "v1") == van("v1", "d1", name="Renamed")
        assert await store.delete_vehicle(T, "v1") is True
        assert await store.update_vehicle(van("v1", "d1")) is False
        assert await store.get_vehicle(T, "v1") is None

    async def test_pending_orders_of_a_date_in_order_id_order(self, store: PlannerStore) -> None:
        await store.save_depot(depot("d1"))
        for order_id in ("o3", "o1", "o2"):
            await store.save_pending(pending(order_id))
        await store.save_pending(pending("o9", day=DAY + timedelta(days=1)))
        found = await store.pending_for(T, "d1", DAY)
        assert [o.order_id for o in found] == ["o1", "o2", "o3"]
        assert sorted(o.order_id for o in await store.pending_of_depot(T, "d1")) == [
            "o1",
            "o2",
            "o3",
            "o9",
        ]
        saved = await store.get_pending(T, "o1")
        assert saved is not None
        assert _as_snapshot(saved.snapshot) == _as_snapshot(pending("o1").snapshot)
        assert await store.get_pending(OTHER, "o1") is None

    async def test_progress_keeps_when_tracking_saw_it(self, store: PlannerStore) -> None:
        await store.save_depot(depot("d1"))
        await store.save_pending(replace(pending("o1"), progress="arrived", progress_at=T0))
        saved = await store.get_pending(T, "o1")
        assert saved is not None
        assert (saved.progress, saved.progress_at) == ("arrived", T0)

    async def test_replan_requests_merge_and_clear_only_when_unchanged(
        self, store: PlannerStore
    ) -> None:
        await store.save_depot(depot("d1"))
        await store.request_replan(T, "d1", DAY, T0, "late order", event_time=T0)
        later = T0 + timedelta(seconds=5)
        await store.request_replan(T, "d1", DAY, later, "cancelled")
        [request] = await store.due_replans(later)
        assert request.reasons == ("late order", "cancelled")
        assert request.requested_at == later and request.event_time == T0
        assert await store.due_replans(T0) == []  # the debounce moved with the newest request
        stale = replace(request, requested_at=T0)
        assert await store.clear_replan(stale) is False
        assert await store.clear_replan(request) is True
        assert await store.due_replans(later) == []

    async def test_a_cutoff_is_claimed_once(self, store: PlannerStore) -> None:
        await store.save_depot(depot("d1"))
        assert await store.claim_cutoff(T, "d1", DAY, "05:00") is True
        assert await store.claim_cutoff(T, "d1", DAY, "05:00") is False
        assert await store.claim_cutoff(T, "d1", DAY, "12:00") is True
        assert await store.claim_cutoff(T, "d1", DAY + timedelta(days=1), "05:00") is True
