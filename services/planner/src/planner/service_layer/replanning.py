"""Re-plan the unstarted part of a depot's routes after new orders, cancellations or delays.

Served (delivered, failed) and in-progress (arrived) stops stay locked at the head of their
route; orders already loaded on a started vehicle stay on it; windows the previous plan
promised stay hard (the core's `replan` does that); nothing is scheduled before `now`.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime

from lastmile_common.events.orders import OrderSnapshot
from lastmile_common.routing import Router

from planner.domain.model import PlanningProblem, PlanResult, Vehicle
from planner.domain.replan import StopSeen, replan
from planner.service_layer.clock import to_seconds
from planner.service_layer.planning import NoSolutionInTime, require_solution
from planner.service_layer.ports import SolverRunner, UnitsOfWork
from planner.service_layer.problem import build_problem
from planner.service_layer.publishing import previous_result
from planner.service_layer.records import ACTIVE_ROUTE, PendingOrder, StoredRoute
from planner.service_layer.replan_writes import (
    Replan,
    cancel_emptied,
    write_replan_summary,
    write_routes,
)
from planner.service_layer.roads import on_roads, route_geometries

AT_DEPOT = "_at_depot"


def loaded_skill(vehicle_id: str) -> str:
    """Pseudo-skill that ties an order to the started vehicle it is loaded on."""
    return f"_loaded_{vehicle_id}"


def keep_loaded_on_vehicle(
    problem: PlanningProblem, loaded: dict[str, set[str]], new_orders_on_started: bool
) -> PlanningProblem:
    """Orders on a started vehicle can only go on it; optionally, it takes no new orders."""
    owner = {oid: vid for vid, oids in loaded.items() for oid in oids}
    orders = []
    for o in problem.orders:
        if o.id in owner:
            orders.append(replace(o, skills=o.skills | {loaded_skill(owner[o.id])}))
        elif not new_orders_on_started and loaded:
            orders.append(replace(o, skills=o.skills | {AT_DEPOT}))
        else:
            orders.append(o)
    vehicles: list[Vehicle] = []
    for v in problem.vehicles:
        extra = {loaded_skill(v.id)} if v.id in loaded else {AT_DEPOT}
        vehicles.append(replace(v, skills=v.skills | extra))
    return replace(problem, orders=tuple(orders), vehicles=tuple(vehicles))


def locked_chains(
    routes: list[StoredRoute], orders: dict[str, PendingOrder]
) -> dict[str, list[str]]:
    """Per vehicle, its served and in-progress orders in visiting order."""
    chains: dict[str, list[str]] = {}
    for route in routes:
        chain = [
            oid for oid in route.order_ids if oid in orders and orders[oid].progress is not None
        ]
        if chain:
            chains[route.vehicle_id] = chain
    return chains


def to_plan(orders: dict[str, PendingOrder], locked_ids: set[str]) -> dict[str, OrderSnapshot]:
    """What a re-plan plans: locked stops, and open orders not yet served."""
    return {
        oid: o.snapshot
        for oid, o in orders.items()
        if oid in locked_ids or (o.status == "open" and o.progress is None)
    }


def seen_stops(
    orders: dict[str, PendingOrder], locked_ids: set[str], day: date, time_zone: str
) -> dict[str, StopSeen]:
    """Locked stops with the time tracking saw them (arrived, or served and left)."""
    return {
        oid: StopSeen(to_seconds(day, time_zone, o.progress_at), o.progress != "arrived")
        for oid in locked_ids
        if (o := orders[oid]).progress_at is not None
    }


async def replan_depot(
    tx: UnitsOfWork,
    solver: SolverRunner,
    router: Router,
    tenant_id: str,
    depot_id: str,
    day: date,
    now: datetime,
    *,
    time_limit_s: float,
    grace_s: float,
    new_orders_on_started: bool = True,
    reason: str = "replanned",
    event_time: datetime | None = None,
) -> int:
    """Re-optimise the depot's active routes; returns how many route events were published.

    `now` is the planner's clock; `event_time`, the newest time the asking events carried,
    moves the instant nothing is scheduled before when it is later (a simulated day).
    """
    job = await _load(tx, tenant_id, depot_id, day, now, event_time, reason)
    if job is None:
        return 0
    problem = await _build_problem(job, router, new_orders_on_started)
    result = await _solve(job, problem, solver, time_limit_s, grace_s)
    zone = job.day, job.depot.spec.time_zone
    geometries = await asyncio.to_thread(route_geometries, router, problem, result.routes, *zone)
    async with tx() as uow:
        route_ids, published = await write_routes(uow, job, result, geometries)
        published += await cancel_emptied(uow, job, {r.vehicle_id for r in result.routes})
        published += await write_replan_summary(uow, job, result, route_ids)
    return published


async def _load(
    tx: UnitsOfWork,
    tenant_id: str,
    depot_id: str,
    day: date,
    now: datetime,
    event_time: datetime | None,
    reason: str,
) -> Replan | None:
    """The date's latest plan, active routes, fleet and orders (None: no depot or no plan)."""
    async with tx() as uow:
        depot = await uow.depots.get(tenant_id, depot_id)
        plan = await uow.plans.latest(tenant_id, depot_id, day)
        if depot is None or plan is None:
            return None
        vehicles = {v.id: v for v in await uow.depots.vehicles_of(tenant_id, depot_id)}
        pending = {o.order_id: o for o in await uow.pending.of_date(tenant_id, depot_id, day)}
        active = [
            r
            for r in await uow.plans.routes_for(tenant_id, depot_id, day)
            if r.status in ACTIVE_ROUTE and r.vehicle_id in vehicles
        ]
    locks = locked_chains(active, pending)
    locked_ids = {oid for chain in locks.values() for oid in chain}
    return Replan(
        tenant_id,
        depot,
        day,
        now,
        event_time,
        reason,
        plan,
        vehicles,
        active,
        locks,
        to_plan(pending, locked_ids),
        seen_stops(pending, locked_ids, day, depot.spec.time_zone),
    )


async def _build_problem(
    job: Replan, router: Router, new_orders_on_started: bool
) -> PlanningProblem:
    """The date's problem with loaded orders kept on their vehicle, on the road network."""
    loaded = {  # a cancelled, unserved order is taken off its vehicle
        r.vehicle_id: {oid for oid in r.order_ids if oid in job.snapshots}
        for r in job.active
        if r.status == "started"
    }
    problem = build_problem(
        job.depot, list(job.vehicles.values()), list(job.snapshots.values()), job.day
    )
    problem = keep_loaded_on_vehicle(problem, loaded, new_orders_on_started)
    return await asyncio.to_thread(on_roads, router, problem, job.day, job.depot.spec.time_zone)


async def _solve(
    job: Replan,
    problem: PlanningProblem,
    solver: SolverRunner,
    time_limit_s: float,
    grace_s: float,
) -> PlanResult:
    """Solve in the worker with served stops locked."""
    previous = previous_result([r.solved for r in job.active])
    plan_from = max(job.now, job.event_time) if job.event_time is not None else job.now
    now_s = max(0, to_seconds(job.day, job.depot.spec.time_zone, plan_from))
    result = require_solution(
        await solver.run(
            replan,
            problem,
            previous,
            job.locks,
            now_s,
            time_limit_s,
            0,
            job.seen,
            timeout_s=time_limit_s + grace_s,
        ),
        time_limit_s,
    )
    routed = {r.vehicle_id: [v.order_id for v in r.visits] for r in result.routes}
    for vehicle_id, chain in job.locks.items():
        if routed.get(vehicle_id, [])[: len(chain)] != chain:
            raise NoSolutionInTime(f"the re-plan moved served stops of vehicle {vehicle_id}")
    return result
