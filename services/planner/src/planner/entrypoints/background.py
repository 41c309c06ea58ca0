"""Background loops: debounced re-plans and depots' cut-off plans, on an injectable clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from planner.entrypoints.deps import PlannerContext
from planner.service_layer.planning import plan_depot
from planner.service_layer.replanning import replan_depot
from planner.service_layer.triggers import Replanner, run_due_cutoffs, run_due_replans

log = logging.getLogger(__name__)


def replanner(ctx: PlannerContext) -> Replanner:
    """Re-plan one depot's date under its lock."""

    async def run(
        tenant: str, depot: str, day: date, now: datetime, reason: str, event_time: datetime | None
    ) -> int:
        await ctx.solver.warmed()  # refused during the warm-up, it would wait for the next event
        async with ctx.depot_lock(tenant, depot):
            return await replan_depot(
                ctx.tx,
                ctx.solver,
                ctx.router,
                tenant,
                depot,
                day,
                now,
                time_limit_s=ctx.settings.replan_time_limit_s,
                grace_s=ctx.settings.solver_grace_s,
                reason=reason,
                event_time=event_time,
            )

    return run


def cutoff_planner(ctx: PlannerContext) -> Callable[[str, str, date], Awaitable[object]]:
    """Plan one depot's date at its cut-off, under its lock."""

    async def run(tenant: str, depot: str, day: date) -> object:
        await ctx.solver.warmed()  # the cut-off is claimed already: refused, it would be lost
        async with ctx.depot_lock(tenant, depot):
            return await plan_depot(
                ctx.tx,
                ctx.solver,
                ctx.router,
                tenant,
                depot,
                day,
                preview=False,
                time_limit_s=ctx.settings.solver_time_limit_s,
                seed=0,
                grace_s=ctx.settings.solver_grace_s,
                trigger="cutoff",
            )

    return run


async def _every(period_s: float, step: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background step failed", extra={"loop": name})
        await asyncio.sleep(period_s)


def start_loops(ctx: PlannerContext) -> list[asyncio.Task[None]]:
    """Start the re-plan loop and (unless disabled) the cut-off loop."""
    s = ctx.settings
    do_replan = replanner(ctx)
    do_cutoff = cutoff_planner(ctx)
    tasks = [
        asyncio.create_task(
            _every(
                s.replan_poll_s,
                lambda: run_due_replans(ctx.tx, do_replan, ctx.clock(), s.replan_debounce_s),
                "replan",
            ),
            name="planner:replan",
        )
    ]
    if s.cutoffs_enabled:
        tasks.append(
            asyncio.create_task(
                _every(
                    s.cutoff_poll_s,
                    lambda: run_due_cutoffs(ctx.tx, do_cutoff, ctx.clock(), s.cutoff_grace_s),
                    "cutoff",
                ),
                name="planner:cutoff",
            )
        )
    return tasks
