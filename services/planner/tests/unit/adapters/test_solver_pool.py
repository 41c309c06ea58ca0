"""The worker pool: a solve past its deadline is terminated and the next one still runs."""

from __future__ import annotations

import time

import pytest
from planner.adapters.solver_pool import ProcessSolverRunner, SolverTimeout


async def test_a_solve_past_its_deadline_is_terminated_and_the_pool_recovers() -> None:
    runner = ProcessSolverRunner(max_workers=1)
    try:
        started = time.monotonic()
        with pytest.raises(SolverTimeout):
            await runner.run(time.sleep, 30, timeout_s=1.5)  # type: ignore[arg-type]
        assert time.monotonic() - started < 5
        assert await runner.run(abs, -3, timeout_s=20) == 3  # type: ignore[arg-type, comparison-overlap]
    finally:
        runner.close()
