"""A route the driver starts while a fresh plan of its date is being solved is never
superseded: the plan is refused (409) and nothing is written or published."""

from __future__ import annotations

import pytest
from planner.service_layer import pending
from planner.service_layer.planning import RoutesAlreadyStarted, plan_depot

from lastmile.testing.roads import shared_road_router

from .conftest import DAY, T
from .fakes import FakeUnitsOfWork, MeanwhileSolver
from .test_planning import LIMIT, planned_uow


async def test_a_route_that_starts_during_a_fresh_plan_is_never_superseded() -> None:
    uow, route_id, _ = await planned_uow()
    uow.published.clear()
    with pytest.raises(RoutesAlreadyStarted):
        await plan_depot(
            FakeUnitsOfWork(uow),
            MeanwhileSolver(lambda: pending.route_started(uow, T, route_id)),
            shared_road_router(),
            T,
            "d1",
            DAY,
            preview=False,
            time_limit_s=LIMIT,
            seed=0,
            grace_s=1,
        )
    assert uow.plans.routes[T, route_id].status == "started"
    assert uow.published == []
