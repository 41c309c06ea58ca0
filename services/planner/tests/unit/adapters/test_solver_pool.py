"""The worker pool: a solve past its deadline is terminated and the next one still runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import psutil
import pytest
from planner.adapters.solver_pool import ProcessSolverRunner, SolverTimeout, SolverWarming


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


def test_workers_exit_when_the_planner_is_killed() -> None:
    """kill -9 of the planner must not leave its solver workers running, orphaned."""
    script = (
        "import asyncio, time\n"
        "from planner.adapters.solver_pool import ProcessSolverRunner\n"
        "runner = ProcessSolverRunner(max_workers=1)\n"
        "asyncio.run(runner.warm_up())\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    planner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert planner.stdout is not None and planner.stdout.readline() == b"ready\n"
        workers = psutil.Process(planner.pid).children(recursive=True)
        assert workers
    finally:
        planner.kill()
        planner.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    for process in alive:
        process.kill()
    assert not alive, f"{len(alive)} worker processes outlived the planner"


async def test_a_solve_asked_while_the_workers_warm_up_is_refused_and_keeps_the_warm_up() -> None:
    runner = ProcessSolverRunner(max_workers=1)
    try:
        warming = asyncio.create_task(runner.warm_up(time.sleep, 4))
        await asyncio.sleep(0.5)
        warm_pool = runner._pool
        with pytest.raises(SolverWarming):
            await runner.run(abs, -3, timeout_s=1.0)  # type: ignore[arg-type]
        assert runner._pool is warm_pool, "the warm-up was killed"
        await warming
        assert not runner.warming
        assert await runner.run(abs, -3, timeout_s=20) == 3  # type: ignore[arg-type, comparison-overlap]
        assert runner._pool is warm_pool
    finally:
        runner.close()
