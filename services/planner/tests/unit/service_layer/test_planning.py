"""Planning and re-planning on fakes with the real solver run inline (short time limits)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lastmile_common.events.deliveries import RouteCompleted, StopArrived
from lastmile_common.events.orders import OrderCreated
from lastmile_common.events.routes import PlanCompleted, RouteCancelled, RoutePlanned, RouteUpdated
from planner.domain.model import PlanResult
from planner.service_layer import pending
from planner.service_layer.planning import NoSolutionInTime, plan_depot
from planner.service_layer.replanning import replan_depot

from lastmile.testing.roads import shared_road_router

from .conftest import DAY, T, at, depot, order, van
from .fakes import FakeUnitOfWork, FakeUnitsOfWork, InlineSolver, MeanwhileSolver

NOW = datetime(2030, 5, 6, 5, 0, tzinfo=UTC)
LIMIT = 0.3


async def _uow_with(orders: list[OrderCreated], vehicles: int = 1) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    await uow.depots.save(depot())
    for i in range(vehicles):
        await uow.depots.save_vehicle(van(f"v{i + 1}"))
    for o in orders:
        await pending.record_order(uow, T, o, NOW, "order.created")
    return uow


async def _plan(uow: FakeUnitOfWork, solver: Any = None, *, preview: bool = False) -> Any:
    """`plan_depot` for depot d1 on DAY with the test's short budget."""
    return await plan_depot(
        FakeUnitsOfWork(uow), solver or InlineSolver(), shared_road_router(), T, "d1", DAY,
        preview=preview, time_limit_s=LIMIT, seed=0, grace_s=1,
    )  # fmt: skip


async def _replan(uow: FakeUnitOfWork, solver: Any = None, **kw: Any) -> int:
    """`replan_depot` for depot d1 on DAY at NOW with the test's short budget."""
    return await replan_depot(
        FakeUnitsOfWork(uow), solver or InlineSolver(), shared_road_router(), T, "d1", DAY, NOW,
        time_limit_s=LIMIT, grace_s=1, **kw,
    )  # fmt: skip


async def planned_uow() -> tuple[FakeUnitOfWork, str, str]:
    """A uow with a stored one-route plan; returns it, the route id and its first order."""
    uow = await _uow_with([order("o1", dlat=0.01), order("o2", dlat=0.02), order("o3", dlat=0.03)])
    outcome = await _plan(uow)
    [route] = outcome.routes
    return uow, route.route_id, route.stops[0].order_id


async def test_plan_publishes_routes_then_the_summary_and_preview_publishes_nothing() -> None:
    uow = await _uow_with([order("o1"), order("heavy", weight_kg=1500)])
    solver = InlineSolver()
    preview = await _plan(uow, solver, preview=True)
    assert preview.preview and uow.published == [] and uow.plans.plans == []
    outcome = await _plan(uow, solver)
    kinds = [type(data) for data, _ in uow.published]
    assert kinds == [RoutePlanned, PlanCompleted]
    assert all(key == "d1" for _, key in uow.published)
    assert [(u.order_id, u.reason_code) for u in outcome.summary.unassigned] == [
        ("heavy", "too_heavy")
    ]
    assert [s.order_id for s in outcome.routes[0].stops] == ["o1"]


async def test_a_new_plan_supersedes_unstarted_routes() -> None:
    uow, route_id, _ = await planned_uow()
    uow.published.clear()
    await _plan(uow)
    cancelled = [d for d, _ in uow.published if isinstance(d, RouteCancelled)]
    assert [c.route_id for c in cancelled] == [route_id]
    assert uow.plans.routes[T, route_id].status == "superseded"


async def test_no_vehicles_and_no_orders_explain_instead_of_failing() -> None:
    uow = await _uow_with([order("o1")], vehicles=0)
    solver = InlineSolver()
    outcome = await _plan(uow, solver, preview=True)
    assert [u.reason_code for u in outcome.summary.unassigned] == ["fleet_full"]
    empty = await _uow_with([])
    result = await _plan(empty, solver)
    assert result.routes == () and solver.calls == 0
    assert [type(d) for d, _ in empty.published] == [PlanCompleted]


async def test_replan_keeps_served_stops_first_and_locked_and_bumps_the_version() -> None:
    uow, route_id, first = await planned_uow()
    await pending.route_started(uow, T, route_id)
    await pending.record_progress(uow, T, first, "delivered")
    await pending.record_order(uow, T, order("late", dlat=-0.01), NOW, "order.created")
    uow.published.clear()
    count = await _replan(uow, reason="order.created")
    assert count == 1
    [(update, _)] = uow.published
    assert isinstance(update, RouteUpdated) and update.version == 2 and update.route_id == route_id
    assert update.stops[0].order_id == first and update.stops[0].locked
    assert "late" in [s.order_id for s in update.stops]
    assert update.reason == "order.created"


async def test_a_route_that_loses_every_stop_is_cancelled() -> None:
    uow, route_id, _ = await planned_uow()
    for oid in ("o1", "o2", "o3"):
        order_ = uow.pending.orders[T, oid]
        await uow.pending.save(order_.__class__(**{**order_.__dict__, "status": "cancelled"}))
    uow.published.clear()
    await _replan(uow)
    [(gone, _)] = uow.published
    assert isinstance(gone, RouteCancelled) and gone.version == 2
    assert uow.plans.routes[T, route_id].status == "cancelled"


def _completed(route_id: str, *unserved: str) -> RouteCompleted:
    return RouteCompleted(
        route_id=route_id,
        depot_id="d1",
        vehicle_id="v1",
        completed_at=NOW,
        delivered=1,
        failed=0,
        unserved_order_ids=unserved,
    )


async def test_a_route_that_finishes_during_the_solve_is_never_extended() -> None:
    uow, route_id, first = await planned_uow()
    await pending.route_started(uow, T, route_id)
    await pending.record_progress(uow, T, first, "delivered")
    await pending.record_order(uow, T, order("late", dlat=-0.01), NOW, "order.created")
    uow.published.clear()
    ahead = NOW + timedelta(hours=5)  # the asking events ran ahead of the clock
    await _replan(
        uow,
        MeanwhileSolver(lambda: pending.route_completed(uow, T, _completed(route_id), NOW)),
        reason="order.created",
        event_time=ahead,
    )
    assert not [d for d, _ in uow.published if getattr(d, "route_id", None) == route_id]
    assert uow.plans.routes[T, route_id].status == "completed"
    assert uow.pending.orders[T, "late"].status == "open"
    request = uow.replans.requests[T, "d1", DAY]
    # Due by the clock (not at the events' time, which would never come due), and keeping it.
    assert (request.requested_at, request.event_time) == (NOW, ahead)


async def test_orders_a_finished_route_never_served_are_replanned_elsewhere() -> None:
    uow, route_id, first = await planned_uow()
    await pending.route_started(uow, T, route_id)
    await pending.record_progress(uow, T, first, "delivered")
    # The route.updated that added o2/o3 crossed the vehicle's return: tracking hands them back.
    others = [o for o in uow.plans.routes[T, route_id].order_ids if o != first]
    assert not await pending.route_completed(uow, T, _completed(route_id), NOW)
    assert uow.replans.requests == {}
    assert await pending.route_completed(uow, T, _completed(route_id, *others), NOW)
    assert uow.plans.routes[T, route_id].status == "completed"
    [request] = uow.replans.requests.values()
    assert request.reasons == ("route finished unserved",)
    await uow.depots.save_vehicle(van("v2"))
    uow.published.clear()
    await _replan(uow)
    [(route, _)] = uow.published
    assert isinstance(route, RoutePlanned) and route.route_id != route_id
    assert sorted(s.order_id for s in route.stops) == sorted(others)


async def test_a_late_order_the_replan_leaves_out_is_explained_in_a_new_plan_completed() -> None:
    uow, route_id, _ = await planned_uow()
    await pending.record_order(uow, T, order("piano", weight_kg=1500), NOW, "order.created")
    uow.published.clear()
    count = await _replan(uow)
    [(summary, key)] = uow.published  # the route itself did not change
    assert count == 1 and key == "d1"
    assert isinstance(summary, PlanCompleted) and summary.route_ids == (route_id,)
    assert [(u.order_id, u.reason_code) for u in summary.unassigned] == [("piano", "too_heavy")]
    assert summary.total_distance_m > 0
    uow.published.clear()
    await _replan(uow)
    assert uow.published == []  # nothing new to explain: no event


class _NoAnswer(InlineSolver):
    """A solver that found no first solution within its time limit (a loaded machine)."""

    async def run(self, fn: Callable[..., PlanResult], *args: Any, timeout_s: float) -> PlanResult:
        return PlanResult((), (), 0.0, timeout_s, "no_solution")


async def test_a_replan_without_a_solution_changes_nothing() -> None:
    uow, route_id, first = await planned_uow()
    await pending.route_started(uow, T, route_id)
    await pending.record_progress(uow, T, first, "delivered")
    await pending.record_order(uow, T, order("late", dlat=-0.01), NOW, "order.created")
    before = uow.plans.routes[T, route_id]
    uow.published.clear()
    with pytest.raises(NoSolutionInTime):
        await _replan(uow, _NoAnswer())
    assert uow.published == []  # no route.cancelled "no stops left" for a started route
    assert uow.plans.routes[T, route_id] == before
    with pytest.raises(NoSolutionInTime):
        await _plan(uow, _NoAnswer(), preview=True)


async def test_each_route_lists_the_breaks_it_planned() -> None:
    uow = FakeUnitOfWork()
    await uow.depots.save(depot())
    lunch = [{"duration_min": 30, "earliest_start": "12:00", "latest_start": "13:00"}]
    await uow.depots.save_vehicle(van("v1", breaks=lunch))
    morning, afternoon = (
        order("o1", start="08:00", end="11:00"),
        order("o2", dlat=0.02, start="14:00", end="16:00"),
    )
    for o in (morning, afternoon):
        await pending.record_order(uow, T, o, NOW, "order.created")
    outcome = await _plan(uow)
    [route] = outcome.routes
    [lunch_break] = route.breaks
    assert at("12:00") <= lunch_break.start <= at("13:00")
    assert lunch_break.end - lunch_break.start == timedelta(minutes=30)
    published = [e for e, *_ in uow.published if isinstance(e, RoutePlanned)]
    assert published[0].breaks == route.breaks


async def test_a_started_vehicle_is_replanned_from_the_stop_and_time_tracking_saw() -> None:
    uow, route_id, first = await planned_uow()
    [planned] = [d for d, _ in uow.published if isinstance(d, RoutePlanned)]
    second_planned = planned.stops[1].planned_arrival
    # The driver reached the first stop two hours after the plan said they would leave it.
    late = planned.stops[0].planned_departure + timedelta(hours=2)
    arrived = StopArrived(
        route_id=route_id, stop_id=planned.stops[0].stop_id, order_id=first, vehicle_id="v1",
        arrived_at=late, location=planned.stops[0].location,
    )  # fmt: skip
    await pending.stop_arrived(uow, T, arrived, NOW, late_threshold_s=1e9)
    assert uow.pending.orders[T, first].progress_at == late
    uow.published.clear()
    await _replan(uow, reason="late")
    [updated] = [d for d, _ in uow.published if isinstance(d, RouteUpdated)]
    assert updated.stops[0].order_id == first
    assert updated.stops[0].planned_departure >= late
    # The next stop comes after the service there and the drive, not at its old time.
    assert updated.stops[1].planned_arrival > late + timedelta(seconds=60)
    assert updated.stops[1].planned_arrival > second_planned + timedelta(hours=1)


async def test_each_stop_carries_what_the_driver_needs_at_the_door() -> None:
    special = order("o1").model_copy(
        update={
            "recipient": order("o1").recipient.model_copy(update={"phone": "+4230000000"}),
            "address": order("o1").address.model_copy(
                update={"line2": "Hinterhaus", "postal_code": "9490"}
            ),
            "notes": "ring twice",
            "skills": ("age_check",),
        }
    )
    uow = await _uow_with([special, order("o2", dlat=0.02)])
    await uow.depots.save_vehicle(van("v1", skills=["age_check"]))
    outcome = await _plan(uow)
    stops = {s.order_id: s for s in outcome.routes[0].stops}
    first, plain = stops["o1"], stops["o2"]
    assert first.address == "Street 1, Hinterhaus, 9490 Vaduz"
    assert (first.recipient_name, first.phone, first.note) == ("Ada", "+4230000000", "ring twice")
    assert first.skills == ("age_check",)
    assert (plain.address, plain.phone, plain.note, plain.skills) == (
        "Street 1, Vaduz",
        None,
        "",
        (),
    )
