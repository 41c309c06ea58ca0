"""A route the driver starts while a fresh plan of its date is being solved is never
superseded: the plan is refused (409) and nothing is written or published."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from planner.domain.model import PlanResult
from planner.service_layer import pending
from planner.service_layer.planning import RoutesAlreadyStarted, plan_depot

from lastmile.testing.roads import shared_road_router

from .conftest import DAY, T
from .fakes import FakeUnitsOfWork, InlineSolver
from .test_planning import LIMIT, planned_uow


class _StartsDuringSolve(InlineSolver):
    """The driver starts the planned route while the solver is still running."""

    def __init__(self, uow: Any, route_id: str) -> None:
        super().__init__()
        self._uow = uow
        self._route_id = route_id

    async def run(self, fn: Callable[..., PlanResult], *args: Any, timeout_s: float) -> PlanResult:
        result = await super().run(fn, *args, timeout_s=timeout_s)
        await pending.route_started(self._uow, T, self._route_id)
        return result


async def test_a_route_that_starts_during_a_fresh_plan_is_never_superseded() -> None:
    uow, route_id, _ = await planned_uow()
    uow.published.clear()
    with pytest.raises(RoutesAlreadyStarted):
        await plan_depot(
            FakeUnitsOfWork(uow), _StartsDuringSolve(uow, route_id), shared_road_router(), T,
            "d1", DAY, preview=False, time_limit_s=LIMIT, seed=0, grace_s=1,
        )  # fmt: skip
    assert uow.plans.routes[T, route_id].status == "started"
    assert uow.published == []
