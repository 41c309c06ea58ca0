"""Re-plan the unstarted part of a depot's routes after new orders, cancellations or delays.

Served (delivered, failed) and in-progress (arrived) stops stay locked at the head of their
route; orders already loaded on a started vehicle stay on it; windows the previous plan
promised stay hard (the core's `replan` does that); nothing is scheduled before `now`.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime

from lastmile_common.events.routes import PlanCompleted, RouteCancelled
from lastmile_common.routing import Router

from planner.domain.model import PlanningProblem, Vehicle
from planner.domain.replan import replan
from planner.service_layer.clock import to_seconds
from planner.service_layer.planning import NoSolutionInTime, require_solution, unassigned_of
from planner.service_layer.ports import PlannerStore, SolverRunner, Transactions
from planner.service_layer.problem import build_problem
from planner.service_layer.publishing import new_id, previous_result, route_data, solved_of
from planner.service_layer.records import ACTIVE_ROUTE, PendingOrder, StoredRoute
from planner.service_layer.roads import on_roads, route_geometries

AT_DEPOT = "_at_depot"
# A planned arrival that moves less than this is not worth a route.updated.
MOVE_THRESHOLD_S = 60


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


async def _still_active(store: PlannerStore, tenant_id: str, route_id: str) -> bool:
    current = await store.get_route(tenant_id, route_id)
    return current is not None and current.status in ACTIVE_ROUTE


def _changed(old: StoredRoute, new_solved: dict[str, object]) -> bool:
    old_visits = old.solved.get("visits", [])
    new_visits = new_solved["visits"]
    assert isinstance(new_visits, list)
    if [v[0] for v in old_visits] != [v[0] for v in new_visits]:
        return True
    return any(
        abs(a[1] - b[1]) >= MOVE_THRESHOLD_S for a, b in zip(old_visits, new_visits, strict=True)
    )


async def replan_depot(
    tx: Transactions,
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
    async with tx() as store:
        depot = await store.get_depot(tenant_id, depot_id)
        plan = await store.latest_plan(tenant_id, depot_id, day)
        if depot is None or plan is None:
            return 0
        vehicles = await store.list_vehicles(tenant_id, depot_id)
        pending = {o.order_id: o for o in await store.pending_for(tenant_id, depot_id, day)}
        active = [
            r for r in await store.routes_for(tenant_id, depot_id, day) if r.status in ACTIVE_ROUTE
        ]
    vehicle_ids = {v.id for v in vehicles}
    active = [r for r in active if r.vehicle_id in vehicle_ids]
    locks = locked_chains(active, pending)
    locked_ids = {oid for chain in locks.values() for oid in chain}
    loaded = {
        r.vehicle_id: {oid for oid in r.order_ids if oid in pending}
        for r in active
        if r.status == "started"
    }
    orders = [
        o
        for o in pending.values()
        if o.order_id in locked_ids or (o.status == "open" and o.progress is None)
    ]
    for vid in list(loaded):  # a cancelled, unserved order is taken off its vehicle
        loaded[vid] = {oid for oid in loaded[vid] if oid in {o.order_id for o in orders}}
    snapshots = {o.order_id: o.snapshot for o in orders}
    problem = build_problem(depot, vehicles, list(snapshots.values()), day)
    problem = keep_loaded_on_vehicle(problem, loaded, new_orders_on_started)
    tz = depot.spec.time_zone
    problem = await asyncio.to_thread(on_roads, router, problem, day, tz)
    previous = previous_result([r.solved for r in active])
    plan_from = max(now, event_time) if event_time is not None else now
    now_s = max(0, to_seconds(day, depot.spec.time_zone, plan_from))
    result = require_solution(
        await solver.run(
            replan,
            problem,
            previous,
            locks,
            now_s,
            time_limit_s,
            0,
            timeout_s=time_limit_s + grace_s,
        ),
        time_limit_s,
    )
    routed = {r.vehicle_id: [v.order_id for v in r.visits] for r in result.routes}
    for vehicle_id, chain in locks.items():
        if routed.get(vehicle_id, [])[: len(chain)] != chain:
            raise NoSolutionInTime(f"the re-plan moved served stops of vehicle {vehicle_id}")
    geometries = await asyncio.to_thread(route_geometries, router, problem, result.routes, day, tz)
    by_vehicle = {r.vehicle_id: r for r in active}
    by_id = {v.id: v for v in vehicles}
    published = 0
    async with tx() as store:
        route_ids = []
        for route in result.routes:
            old = by_vehicle.pop(route.vehicle_id, None)
            if old is not None and not await _still_active(store, tenant_id, old.id):
                # The vehicle finished while the solver ran: never extend a closed route.
                # Its new orders stay pending, and another re-plan places them elsewhere.
                await store.request_replan(
                    tenant_id, depot_id, day, now, "route finished", event_time=event_time
                )
                continue
            solved = solved_of(route)
            if old is not None and not _changed(old, solved):
                route_ids.append(old.id)
                continue
            route_id = old.id if old else new_id("rte")
            version = old.version + 1 if old else 1
            data = route_data(
                plan_id=plan.id,
                route_id=route_id,
                version=version,
                depot=depot,
                vehicle=by_id[route.vehicle_id],
                route=route,
                day=day,
                orders=snapshots,
                locked=locked_ids,
                reason=reason if old else None,
                geometry=geometries.get(route.vehicle_id),
            )
            status = old.status if old else "planned"
            await store.save_route(
                StoredRoute(
                    tenant_id,
                    route_id,
                    plan.id,
                    depot_id,
                    day,
                    route.vehicle_id,
                    version,
                    status,
                    data,
                    solved,
                )
            )
            await store.publish(data, tenant_id=tenant_id, key=depot_id, subject=route_id)
            route_ids.append(route_id)
            published += 1
        for old in by_vehicle.values():  # the route lost all its stops
            await store.set_route_status(tenant_id, old.id, "cancelled")
            gone = RouteCancelled(
                route_id=old.id,
                depot_id=depot_id,
                version=old.version + 1,
                reason=f"{reason}: no stops left",
            )
            await store.publish(gone, tenant_id=tenant_id, key=depot_id, subject=old.id)
            published += 1
        # The day's summary: finished routes plus the re-planned ones, and what is left out now.
        finished = [
            r
            for r in await store.routes_for(tenant_id, depot_id, day)
            if r.status == "completed" and r.id not in route_ids
        ]
        summary = plan.summary.model_copy(
            update={
                "route_ids": tuple([r.id for r in finished] + route_ids),
                "unassigned": unassigned_of(result.unplaced),
                "total_distance_m": float(
                    sum(r.solved.get("distance_m", 0) for r in finished)
                    + sum(r.distance_m for r in result.routes)
                ),
                "total_duration_s": float(
                    sum(r.solved.get("end", 0) - r.solved.get("start", 0) for r in finished)
                    + sum(r.end - r.start for r in result.routes)
                ),
                "solve_seconds": round(result.seconds, 3),
            }
        )
        await store.save_plan(replace(plan, summary=summary))
        if _explained(summary) != _explained(plan.summary):
            # Dispatchers learn why an order the re-plan left out is out (or that it is in now).
            await store.publish(summary, tenant_id=tenant_id, key=depot_id, subject=plan.id)
            published += 1
    return published


def _explained(summary: PlanCompleted) -> set[tuple[str, str]]:
    return {(u.order_id, u.reason_code) for u in summary.unassigned}
