"""When to plan: debounced re-plan requests and depots' daily cut-off times."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from planner.domain.depots import DepotSpec, clock_seconds
from planner.service_layer.clock import local_now, midnight_utc, wall_clock_seconds
from planner.service_layer.planning import NoSolutionInTime
from planner.service_layer.ports import UnitsOfWork

log = logging.getLogger(__name__)

# (tenant, depot, date, now, reasons, newest event time of the asking events)
Replanner = Callable[[str, str, date, datetime, str, datetime | None], Awaitable[int]]
Planner = Callable[[str, str, date], Awaitable[object]]


async def run_due_replans(
    tx: UnitsOfWork, replanner: Replanner, now: datetime, debounce_s: float
) -> int:
    """Re-plan every depot and date whose last request is `debounce_s` old; one re-plan each.

    The request is removed before solving (only the instance that removes it re-plans); an event
    arriving meanwhile files a new request, so nothing is lost.
    """
    async with tx() as uow:
        due = await uow.replans.due(now - timedelta(seconds=debounce_s))
    done = 0
    for request in due:
        async with tx() as uow:
            if not await uow.replans.clear(request):
                continue
        reason = ", ".join(sorted(set(request.reasons))) or "replanned"
        try:
            await replanner(
                request.tenant_id,
                request.depot_id,
                request.service_date,
                now,
                reason,
                request.event_time,
            )
            done += 1
        except Exception as exc:
            # Nothing changed; the changes that asked for it still wait: ask again (debounced).
            if isinstance(exc, NoSolutionInTime):
                log.warning("re-plan asked again: %s", exc, extra={"depot": request.depot_id})
            else:
                log.exception("re-plan failed; asked again", extra={"depot": request.depot_id})
            async with tx() as uow:
                await uow.replans.request(
                    request.tenant_id,
                    request.depot_id,
                    request.service_date,
                    now,
                    reason,
                    event_time=request.event_time,
                )
    return done


def cutoff_service_date(spec: DepotSpec, local_day: date, cutoff: str) -> date:
    """A cut-off before the depot opens plans that day; a later one plans the next day."""
    if clock_seconds(cutoff) < clock_seconds(spec.opening_hours.start):
        return local_day
    return local_day + timedelta(days=1)


def due_cutoffs(spec: DepotSpec, now: datetime, grace_s: float) -> list[tuple[date, str]]:
    """(local date, cut-off) pairs that passed less than `grace_s` ago."""
    today = local_now(now, spec.time_zone).date()
    due = []
    for day in (today - timedelta(days=1), today):
        for cutoff in spec.cutoff_times:
            at = midnight_utc(day, spec.time_zone) + timedelta(
                seconds=wall_clock_seconds(day, spec.time_zone, cutoff)
            )
            if timedelta(0) <= now - at < timedelta(seconds=grace_s):
                due.append((day, cutoff))
    return due


async def run_due_cutoffs(tx: UnitsOfWork, planner: Planner, now: datetime, grace_s: float) -> int:
    """Plan each depot once per cut-off per day (skipped when the date already has a plan)."""
    async with tx() as uow:
        depots = await uow.depots.with_cutoffs()
    ran = 0
    for depot in depots:
        for local_day, cutoff in due_cutoffs(depot.spec, now, grace_s):
            service_date = cutoff_service_date(depot.spec, local_day, cutoff)
            async with tx() as uow:
                if not await uow.cutoffs.claim(depot.tenant_id, depot.id, local_day, cutoff):
                    continue
                if await uow.plans.latest(depot.tenant_id, depot.id, service_date) is not None:
                    continue  # changes since that plan are re-planned as they come
            try:
                await planner(depot.tenant_id, depot.id, service_date)
                ran += 1
            except Exception:
                log.exception("cut-off plan failed", extra={"depot": depot.id})
    return ran
