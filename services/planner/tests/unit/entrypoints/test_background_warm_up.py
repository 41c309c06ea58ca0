"""Cut-offs and re-plans that come due while the solver warms up wait for it (a refused cut-off
is claimed already and would never run)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from planner.adapters.solver_pool import ProcessSolverRunner
from planner.entrypoints import background
from planner.entrypoints.deps import PlannerContext


@pytest.mark.parametrize("which", ["cutoff", "replan"])
async def test_plans_due_during_the_warm_up_wait_for_it(
    which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = ProcessSolverRunner(max_workers=1)
    planned_while_warming: list[bool] = []

    async def plan(*_: Any, **__: Any) -> int:
        planned_while_warming.append(runner.warming)
        return 0

    monkeypatch.setattr(background, "plan_depot", plan)
    monkeypatch.setattr(background, "replan_depot", plan)
    settings = SimpleNamespace(solver_time_limit_s=1, replan_time_limit_s=1, solver_grace_s=1)
    ctx = PlannerContext(settings, None, runner, None)  # type: ignore[arg-type]
    try:
        warming = asyncio.create_task(runner.warm_up(time.sleep, 2))
        await asyncio.sleep(0.3)
        assert runner.warming
        if which == "cutoff":
            await background.cutoff_planner(ctx)("t", "hub", date(2026, 12, 1))
        else:
            now = datetime.now(UTC)
            await background.replanner(ctx)("t", "hub", date(2026, 12, 1), now, "late", None)
        assert planned_while_warming == [False]
        await warming
    finally:
        runner.close()
