"""The planner is not ready (`/readyz` 503) until its solver has warmed up: until then a plan
asked for is refused, so a rolling deploy must not send it traffic."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from planner import bootstrap
from planner.adapters.solver_pool import ProcessSolverRunner
from planner.entrypoints import background


async def test_ready_only_once_the_solver_is_warm(monkeypatch: pytest.MonkeyPatch) -> None:
    warm = asyncio.Event()

    async def slow_warm_up(self: ProcessSolverRunner) -> None:
        await warm.wait()

    def forever(_: Any) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(asyncio.Event().wait())]  # type: ignore[arg-type]

    monkeypatch.setattr(bootstrap, "open_router", lambda _: SimpleNamespace(close=lambda: None))
    monkeypatch.setattr(ProcessSolverRunner, "warm_up", slow_warm_up)
    monkeypatch.setattr(background, "start_loops", forever)
    settings = SimpleNamespace(solver_workers=1)
    planning = bootstrap.Planning(settings, None, None)  # type: ignore[arg-type]
    async with planning.run(SimpleNamespace(pool=None), SimpleNamespace()):  # type: ignore[arg-type]
        await asyncio.sleep(0)  # the warm-up task has begun and waits
        assert not await planning.ready()
        warm.set()
        await asyncio.wait_for(_until(planning.ready), timeout=5)


async def _until(ready: Any) -> None:
    while not await ready():
        await asyncio.sleep(0.01)
