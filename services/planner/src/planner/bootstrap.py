"""Wiring: the planner app with its routers, consumers, solver worker and background loops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.routing import RoutingSettings, open_router
from lastmile_common.runtime import Runtime
from starlette.datastructures import State

from planner.adapters.solver_pool import ProcessSolverRunner
from planner.adapters.unit_of_work import units_of_work
from planner.entrypoints import background, consumers, http_fleet, http_plans
from planner.entrypoints.deps import PlannerContext, utc_now
from planner.settings import PlannerSettings

SERVICE = "planner"
MIGRATIONS = "planner.migrations"
DESCRIPTION = """Depots and fleets, plans and routes. Orders arrive on `orders.v1`; plans are
made on request (`POST /v1/plans`) or at each depot's cut-off; routes are published on
`routes.v1` and re-planned when orders, cancellations or delays arrive."""


class Planning:
    """The road network, the solver worker pool and the re-plan and cut-off loops; routes find
    the planner's context on `app.state.planner`."""

    name = "planning"

    def __init__(
        self, settings: PlannerSettings, roads: RoutingSettings, clock: Callable[[], datetime]
    ) -> None:
        self._settings, self._roads, self._clock = settings, roads, clock
        self._loops: list[asyncio.Task[None]] = []
        self._warm: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def run(self, runtime: Runtime, state: State) -> AsyncIterator[None]:
        """Load the map, start the solver pool (warming up in the background) and the loops."""
        router = await asyncio.to_thread(open_router, self._roads)
        solver = ProcessSolverRunner(self._settings.solver_workers)
        warm = self._warm = asyncio.create_task(solver.warm_up())
        tx = units_of_work(runtime.pool)
        ctx = PlannerContext(self._settings, tx, solver, router, self._clock, runtime.pool)
        state.planner = ctx
        self._loops = background.start_loops(ctx)
        try:
            yield
        finally:
            for task in [*self._loops, warm]:
                task.cancel()
            await asyncio.gather(*self._loops, warm, return_exceptions=True)
            solver.close()
            router.close()

    async def ready(self) -> bool:
        """The loops are running and the solver's warm-up is over (until then a plan asked for
        is refused with 503, so a rolling deploy sends no traffic to a pod that cannot plan)."""
        running = bool(self._loops) and not any(task.done() for task in self._loops)
        return running and self._warm is not None and self._warm.done()


def create_app(
    settings: PlannerSettings,
    *,
    clock: Callable[[], datetime] = utc_now,
    routing: RoutingSettings | None = None,
) -> FastAPI:
    """The planner service app; `clock` is injectable so cut-offs and debounce are testable.

    `routing` (default: from `ROUTING_*`) says where roads come from; the map is loaded at start.
    """
    return create_service_app(
        SERVICE,
        settings,
        [http_fleet.router, http_plans.router],
        migrations=MIGRATIONS,
        components=[Planning(settings, routing or RoutingSettings(), clock)],
        subscriptions=lambda: consumers.subscriptions(settings, clock),
        title="lastmile planner",
        description=DESCRIPTION,
    )
