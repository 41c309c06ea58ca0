"""Pending-set bookkeeping, re-plan triggering, debounce and cut-offs on fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lastmile_common.events.base import GeoPoint
from lastmile_common.events.deliveries import StopArrived
from lastmile_common.events.orders import OrderCancelled
from lastmile_common.events.routes import PlanCompleted
from planner.service_layer import pending
from planner.service_layer.records import StoredPlan
from planner.service_layer.triggers import cutoff_service_date, run_due_cutoffs, run_due_replans

from .conftest import DAY, T, at, depot, order
from .fakes import FakeUnitOfWork, FakeUnitsOfWork

NOW = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def _plan(uow: FakeUnitOfWork, depot_id: str = "d1", day: date = DAY) -> None:
    summary = PlanCompleted(
        plan_id="p1", depot_id=depot_id, service_date=day.isoformat(), route_ids=()
    )
    uow.plans.plans.append(StoredPlan(T, "p1", depot_id, day, "api", summary))


async def test_orders_for_an_unknown_depot_wait_until_it_exists() -> None:
    uow = FakeUnitOfWork()
    await pending.record_order(uow, T, order("o1"), NOW, "order.created")
    assert uow.pending.orders[T, "o1"].service_date is None
    await uow.depots.save(depot())
    assert await pending.place_depot_orders(uow, T, "d1") == 1
    assert [o.order_id for o in await uow.pending.of_date(T, "d1", DAY)] == ["o1"]


async def test_stale_versions_are_ignored_and_window_changes_move_the_date() -> None:
    uow = FakeUnitOfWork()
    await uow.depots.save(depot())
    await pending.record_order(uow, T, order("o1", version=2), NOW, "order.updated")
    assert await pending.record_order(uow, T, order("o1", version=1), NOW, "order.created") is None
    moved = order("o1", version=3, day=DAY + timedelta(days=1))
    await pending.record_order(uow, T, moved, NOW, "order.updated")
    assert uow.pending.orders[T, "o1"].service_date == DAY + timedelta(days=1)


async def test_changes_ask_for_a_replan_only_once_the_date_is_planned() -> None:
    uow = FakeUnitOfWork()
    await uow.depots.save(depot())
    await pending.record_order(uow, T, order("o1"), NOW, "order.created")
    assert uow.replans.requests == {}
    _plan(uow)
    await pending.record_order(uow, T, order("o2"), NOW, "order.created")
    cancel = OrderCancelled(
        order_id="o1", external_id="o1", depot_id="d1", version=2, cancelled_at=NOW
    )
    await pending.cancel_order(uow, T, cancel, NOW + timedelta(seconds=1))
    assert uow.pending.orders[T, "o1"].status == "cancelled"
    [request] = uow.replans.requests.values()
    assert request.reasons == ("order.created", "order.cancelled")
    assert request.requested_at == NOW + timedelta(seconds=1)


async def test_only_a_vehicle_later_than_the_threshold_asks_for_a_replan() -> None:
    from .test_planning import planned_uow

    uow, route_id, first = await planned_uow()
    arrived = StopArrived(
        route_id=route_id,
        stop_id="s",
        order_id=first,
        vehicle_id="v1",
        arrived_at=NOW,
        delay_s=120,
        location=GeoPoint(lat=52.5, lon=13.4),
    )
    assert not await pending.stop_arrived(uow, T, arrived, NOW, late_threshold_s=300)
    assert uow.pending.orders[T, first].progress == "arrived"
    assert uow.plans.routes[T, route_id].status == "started"
    late = arrived.model_copy(update={"delay_s": 900})
    assert await pending.stop_arrived(uow, T, late, NOW, late_threshold_s=300)
    request = next(iter(uow.replans.requests.values()))
    assert (request.reasons, request.event_time) == (("late",), late.arrived_at)


async def test_a_burst_of_requests_causes_one_replan_after_the_debounce() -> None:
    uow = FakeUnitOfWork()
    for i in range(3):
        await uow.replans.request(T, "d1", DAY, NOW + timedelta(seconds=i * 0.5), f"r{i}")
    calls: list[tuple[str, str]] = []

    async def replanner(tenant: str, depot_id: str, day: date, now: datetime, reason: str,
                        event_time: datetime | None) -> int:  # fmt: skip
        calls.append((depot_id, reason))
        return 1

    tx = FakeUnitsOfWork(uow)
    assert await run_due_replans(tx, replanner, NOW + timedelta(seconds=2), debounce_s=2.0) == 0
    assert await run_due_replans(tx, replanner, NOW + timedelta(seconds=3.1), debounce_s=2.0) == 1
    assert calls == [("d1", "r0, r1, r2")]
    assert await run_due_replans(tx, replanner, NOW + timedelta(seconds=9), debounce_s=2.0) == 0


async def test_each_cutoff_plans_once_per_day_and_not_over_an_existing_plan() -> None:
    uow = FakeUnitOfWork()
    await uow.depots.save(depot(cutoff_times=["05:00", "22:00"]))
    planned: list[date] = []

    async def planner(tenant: str, depot_id: str, day: date) -> object:
        planned.append(day)
        return None

    tx = FakeUnitsOfWork(uow)
    assert await run_due_cutoffs(tx, planner, at("04:59"), grace_s=3600) == 0
    assert await run_due_cutoffs(tx, planner, at("05:01"), grace_s=3600) == 1
    assert await run_due_cutoffs(tx, planner, at("05:30"), grace_s=3600) == 0
    assert planned == [DAY]
    _plan(uow, day=DAY + timedelta(days=1))
    assert await run_due_cutoffs(tx, planner, at("22:10"), grace_s=3600) == 0
    assert cutoff_service_date(depot().spec, DAY, "22:00") == DAY + timedelta(days=1)


async def test_a_failed_replan_is_asked_again_so_the_changes_still_get_planned() -> None:
    uow = FakeUnitOfWork()
    await uow.replans.request(T, "d1", DAY, NOW, "order.created")
    attempts: list[str] = []

    async def replanner(tenant: str, depot_id: str, day: date, now: datetime, why: str,
                        event_time: datetime | None) -> int:  # fmt: skip
        attempts.append(why)
        if len(attempts) == 1:
            raise RuntimeError("solver found nothing in time")
        return 1

    tx = FakeUnitsOfWork(uow)
    assert await run_due_replans(tx, replanner, NOW + timedelta(seconds=3), debounce_s=2.0) == 0
    assert list(uow.replans.requests) == [(T, "d1", DAY)]  # filed again
    assert await run_due_replans(tx, replanner, NOW + timedelta(seconds=6), debounce_s=2.0) == 1
    assert attempts == ["order.created", "order.created"]
    assert uow.replans.requests == {}


async def test_a_replan_runs_at_the_newest_event_time_when_events_are_ahead_of_the_clock() -> None:
    uow = FakeUnitOfWork()
    ahead = NOW + timedelta(hours=20)  # a simulated day running ahead of the wall clock
    await uow.replans.request(T, "d1", DAY, NOW, "late", event_time=ahead)
    await uow.replans.request(T, "d1", DAY, NOW, "order.created")  # no event time: kept
    await uow.replans.request(T, "d2", DAY, NOW, "order.created")
    seen: dict[str, tuple[datetime, datetime | None]] = {}

    async def replanner(tenant: str, depot_id: str, day: date, now: datetime, why: str,
                        event_time: datetime | None) -> int:  # fmt: skip
        seen[depot_id] = (now, event_time)
        return 1

    later = NOW + timedelta(seconds=3)
    assert await run_due_replans(FakeUnitsOfWork(uow), replanner, later, debounce_s=2.0) == 2
    assert seen == {"d1": (later, ahead), "d2": (later, None)}
