"""Wiring: the planner app with its routers, consumers, solver worker and background loops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.routing import RoutingSettings, open_router
from lastmile_common.runtime import Runtime, start_runtime

from planner.adapters.solver_pool import ProcessSolverRunner
from planner.adapters.store import transactions
from planner.entrypoints import background, consumers, http_fleet, http_plans
from planner.entrypoints.deps import PlannerContext, utc_now
from planner.settings import PlannerSettings

SERVICE = "planner"
MIGRATIONS = "planner.migrations"
DESCRIPTION = """Depots and fleets, plans and routes. Orders arrive on `orders.v1`; plans are
made on request (`POST /v1/plans`) or at each depot's cut-off; routes are published on
`routes.v1` and re-planned when orders, cancellations or delays arrive."""


def create_app(
    settings: PlannerSettings,
    *,
    clock: Callable[[], datetime] = utc_now,
    routing: RoutingSettings | None = None,
) -> FastAPI:
    """The planner service app; `clock` is injectable so cut-offs and debounce are testable.

    `routing` (default: from `ROUTING_*`) says where roads come from; the map is loaded at start.
    """
    roads = routing or RoutingSettings()

    async def start(app: FastAPI) -> Runtime:
        subs = consumers.subscriptions(settings.late_threshold_s, clock)
        return await start_runtime(SERVICE, settings, MIGRATIONS, subs)

    app = create_service_app(
        SERVICE,
        settings,
        start,
        [http_fleet.router, http_plans.router],
        title="lastmile planner",
        description=DESCRIPTION,
    )
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            router = await asyncio.to_thread(open_router, roads)
            solver = ProcessSolverRunner(settings.solver_workers)
            warm = asyncio.create_task(solver.warm_up())
            tx = transactions(app.state.runtime.pool)
            ctx = PlannerContext(settings, tx, solver, router, clock)
            app.state.planner = ctx
            loops = background.start_loops(ctx)
            try:
                yield
            finally:
                for task in [*loops, warm]:
                    task.cancel()
                await asyncio.gather(*loops, warm, return_exceptions=True)
                solver.close()

    app.router.lifespan_context = lifespan
    return app
