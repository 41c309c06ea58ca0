"""Runs the solver in worker processes so a solve never blocks the event loop.

The pool uses the `spawn` start method (no forked copy of the event loop, sockets or the
asyncpg pool in the child). When a caller's deadline passes or its request is cancelled, the
worker cannot be interrupted inside OR-Tools, so it is terminated: the pool is torn down, its
processes are killed, and a fresh pool is made for the next solve. Other solves queued on the
same pool at that moment fail with `SolverUnavailable` and may be retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from lastmile_common.worker_processes import stop_pool, worker_pool

from planner.domain.model import PlanResult

log = logging.getLogger(__name__)


class SolverTimeout(Exception):
    """The solver did not answer within its deadline; its worker was terminated."""


class SolverUnavailable(Exception):
    """The worker pool broke (a worker died or was terminated) during this solve."""


class SolverWarming(SolverUnavailable):
    """The workers are still starting (importing OR-Tools, compiling or loading the compiled
    search): a solve queued behind that would time out and kill the warm-up with it."""


def _warm_up() -> bool:
    import planner.domain.solver  # noqa: F401  (imports OR-Tools once per worker)
    from planner.domain.ruin_recreate import warm_up

    warm_up()  # compiles (or loads from numba's cache) the ruin-and-recreate search
    return True


class ProcessSolverRunner:
    """A `SolverRunner` on a `ProcessPoolExecutor(mp_context=spawn)`."""

    def __init__(self, max_workers: int = 1) -> None:
        self._max_workers = max_workers
        self._pool = self._new_pool()
        self._warming: asyncio.Event | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return worker_pool(self._max_workers)

    async def warm_up(self, fn: Callable[..., object] = _warm_up, *args: Any) -> None:
        """Start the workers and import the solver before the first request needs it; solves
        asked for meanwhile are refused with `SolverWarming` instead of waiting behind it."""
        loop = asyncio.get_running_loop()
        self._warming = asyncio.Event()
        try:
            await loop.run_in_executor(self._pool, fn, *args)
        finally:
            self._warming.set()  # also when it failed: a solve then starts the worker itself

    async def warmed(self) -> None:
        """Return once a running warm-up is over: what plans without a caller waiting (cut-offs,
        re-plans) wait for, instead of being refused."""
        if self._warming is not None:
            await self._warming.wait()

    @property
    def warming(self) -> bool:
        """True while a warm-up runs."""
        return self._warming is not None and not self._warming.is_set()

    async def run(self, fn: Callable[..., PlanResult], *args: Any, timeout_s: float) -> PlanResult:
        """Run `fn(*args)` in a worker; terminate the worker if the deadline passes or we're cancelled."""
        if self.warming:
            raise SolverWarming("the solver is still starting; retry in a few seconds")
        loop = asyncio.get_running_loop()
        pool = self._pool
        future = loop.run_in_executor(pool, fn, *args)
        try:
            return await asyncio.wait_for(future, timeout=timeout_s)
        except TimeoutError:
            self._terminate(pool)
            raise SolverTimeout(f"no answer within {timeout_s:.1f} s") from None
        except asyncio.CancelledError:
            self._terminate(pool)
            raise
        except BrokenProcessPool:
            self._terminate(pool)
            raise SolverUnavailable("the solver worker stopped") from None

    def _terminate(self, pool: ProcessPoolExecutor) -> None:
        if pool is not self._pool:
            return  # already replaced by another caller
        self._pool = self._new_pool()
        stopped = stop_pool(pool)
        if stopped:
            log.warning("solver worker terminated", extra={"workers": stopped})

    def close(self) -> None:
        """Stop the workers (a running solve is killed)."""
        stop_pool(self._pool)
