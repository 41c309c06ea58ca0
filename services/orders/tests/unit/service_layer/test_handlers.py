"""The orders use cases on an in-memory store."""

from __future__ import annotations

from typing import Any

import pytest
from lastmile_common.events.base import TimeWindow
from lastmile_common.events.orders import OrderCancelled, OrderCreated, OrderSpec, OrderUpdated
from orders.domain.model import Order, OrderRuleViolation
from orders.domain.on_map import OutsideMap
from orders.service_layer import handlers
from orders.service_layer.ports import CreateRaced, KnownOrder, NewOrder

from ...fakes import MAP, FakeOrdersStore

BODY: dict[str, Any] = {
    "external_id": "E-1",
    "depot_id": "d1",
    "recipient": {"name": "Ada", "phone": "+4915112345678"},
    "address": {
        "line1": "Kirchstrasse 1",
        "city": "Vaduz",
        "country": "LI",
        "location": {"lat": 47.1367, "lon": 9.5188},
    },
    "windows": [{"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T12:00:00Z"}],
    "items": [{"sku": "A", "quantity": 2, "weight_kg": 1.5, "volume_m3": 0.01}],
}


def spec(**changes: Any) -> OrderSpec:
    return OrderSpec.model_validate({**BODY, **changes})


async def test_place_order_publishes_created_keyed_by_depot() -> None:
    store = FakeOrdersStore()
    accepted = await handlers.place_order(store, "t1", spec(), bounds=MAP, idempotency_key="k1")
    assert accepted.created
    [(event, tenant, key)] = store.published
    assert isinstance(event, OrderCreated)
    assert (tenant, key) == ("t1", "d1")
    assert event.total_weight_kg == 3.0 and event.total_parcels == 2


async def test_same_key_same_body_returns_the_same_order_once() -> None:
    store = FakeOrdersStore()
    first = await handlers.place_order(store, "t1", spec(), bounds=MAP, idempotency_key="k1")
    again = await handlers.place_order(store, "t1", spec(), bounds=MAP, idempotency_key="k1")
    assert again.order.id == first.order.id and not again.created
    assert len(store.published) == 1


async def test_same_key_other_body_conflicts() -> None:
    store = FakeOrdersStore()
    await handlers.place_order(store, "t1", spec(), bounds=MAP, idempotency_key="k1")
    with pytest.raises(handlers.IdempotencyConflict):
        await handlers.place_order(
            store, "t1", spec(notes="other"), bounds=MAP, idempotency_key="k1"
        )


async def test_external_id_reused_with_other_content_is_refused() -> None:
    store = FakeOrdersStore()
    await handlers.place_order(store, "t1", spec(), bounds=MAP)
    with pytest.raises(handlers.DuplicateExternalId):
        await handlers.place_order(store, "t1", spec(notes="changed"), bounds=MAP)


class _RacedOnce(FakeOrdersStore):
    """A concurrent twin commits between our statement's check and its insert, once."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    async def add_unless_known(self, new: NewOrder) -> KnownOrder | None:
        self.attempts += 1
        if self.attempts == 1:
            twin = Order.accept(new.order.tenant_id, new.order.spec)
            await super().add_unless_known(
                NewOrder(
                    twin, new.fingerprint, new.idempotency_key, "order.created", {}, new.event, "d1"
                )
            )
            raise CreateRaced(new.order.id)
        return await super().add_unless_known(new)


async def test_a_create_that_lost_the_race_returns_the_twin() -> None:
    store = _RacedOnce()
    accepted = await handlers.place_order(store, "t1", spec(), bounds=MAP, idempotency_key="k1")
    assert store.attempts == 2 and not accepted.created
    assert list(store.orders) == [accepted.order.id] and len(store.published) == 1


async def test_cancel_and_window_changes_run_in_one_transaction() -> None:
    store = FakeOrdersStore()
    accepted = await handlers.place_order(store, "t1", spec(), bounds=MAP)
    await handlers.cancel_order(store, "t1", accepted.order.id, "customer")
    assert store.transactions == 1


async def test_tenants_do_not_see_each_other() -> None:
    store = FakeOrdersStore()
    accepted = await handlers.place_order(store, "t1", spec(), bounds=MAP)
    with pytest.raises(handlers.OrderNotFound):
        await handlers.cancel_order(store, "t2", accepted.order.id, "")


async def test_cancel_then_progress_cannot_revive() -> None:
    store = FakeOrdersStore()
    accepted = await handlers.place_order(store, "t1", spec(), bounds=MAP)
    cancelled = await handlers.cancel_order(store, "t1", accepted.order.id, "customer")
    assert cancelled.status == "cancelled" and cancelled.version == 2
    assert isinstance(store.published[-1][0], OrderCancelled)
    await handlers.record_progress(store, "t1", accepted.order.id, "order.delivered", None, {}, "e")
    assert store.orders[accepted.order.id].status == "cancelled"


async def test_delivered_order_cannot_be_cancelled_or_rescheduled() -> None:
    store = FakeOrdersStore()
    accepted = await handlers.place_order(store, "t1", spec(), bounds=MAP)
    await handlers.record_progress(store, "t1", accepted.order.id, "order.delivered", None, {}, "e")
    with pytest.raises(OrderRuleViolation):
        await handlers.cancel_order(store, "t1", accepted.order.id, "")
    window = TimeWindow.model_validate(
        {"start": "2026-11-24T13:00:00Z", "end": "2026-11-24T15:00:00Z"}
    )
    with pytest.raises(OrderRuleViolation):
        await handlers.change_windows(store, "t1", accepted.order.id, (window,))


async def test_change_windows_publishes_update_with_new_version() -> None:
    store = FakeOrdersStore()
    accepted = await handlers.place_order(store, "t1", spec(), bounds=MAP)
    window = TimeWindow.model_validate(
        {"start": "2026-11-24T13:00:00Z", "end": "2026-11-24T15:00:00Z"}
    )
    changed = await handlers.change_windows(store, "t1", accepted.order.id, (window,))
    event = store.published[-1][0]
    assert isinstance(event, OrderUpdated)
    assert event.changed == ("windows",) and event.version == 2 == changed.version
    assert event.windows[0].start.hour == 13


def test_created_event_equals_one_validated_from_scratch() -> None:
    order = Order.accept("t1", spec(recipient={"name": "Ada", "phone": "+49 151 12345678"}))
    event = order.created_event()
    assert event == OrderCreated.model_validate(event.model_dump(mode="json"))
    assert event.recipient.phone == "+4915112345678" and event.total_parcels == 2


async def test_an_order_outside_the_map_is_refused_naming_its_location() -> None:
    store = FakeOrdersStore()
    berlin = {**BODY["address"], "location": {"lat": 52.5291, "lon": 13.4010}}
    with pytest.raises(OutsideMap) as refused:
        await handlers.place_order(store, "t1", spec(address=berlin), bounds=MAP)
    assert refused.value.field == "address.location"
    assert "outside the map's bounds (lat 47.0477 to 47.2713" in str(refused.value)
    assert store.orders == {} and store.published == []


async def test_an_unchanged_reason_is_on_the_timeline_once() -> None:
    store = FakeOrdersStore()
    placed = await handlers.place_order(store, "t1", spec(), bounds=MAP)
    order_id = placed.order.id
    heavy = {"plan_id": "p1", "reason_code": "too_heavy", "reason": "weighs 900 kg"}
    full = {"plan_id": "p1", "reason_code": "fleet_full", "reason": "no vehicle left"}
    for detail, event in (
        (heavy, "e1"),
        (heavy, "e2"),
        (full, "e3"),
        ({**full, "plan_id": "p2"}, "e4"),
    ):
        await handlers.record_unassigned(store, "t1", order_id, None, detail, event)
    await handlers.record_unassigned(store, "t2", order_id, None, heavy, "e5")  # not t2's order
    reasons = [
        (d["plan_id"], d["reason_code"]) for _, k, d in store.details if k == "order.unassigned"
    ]
    assert reasons == [("p1", "too_heavy"), ("p1", "fleet_full"), ("p2", "fleet_full")]
