"""A re-plan's outcome: the changed routes stored and published, emptied routes cancelled, the
day's summary updated (and published when what is left out changed)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from lastmile_common.events.orders import OrderSnapshot
from lastmile_common.events.routes import PlanCompleted

from planner.domain.depots import StoredDepot, StoredVehicle
from planner.domain.model import PlanResult
from planner.domain.replan import StopSeen
from planner.service_layer.planning import unassigned_of
from planner.service_layer.ports import UnitOfWork
from planner.service_layer.publishing import new_id, route_data, solved_of
from planner.service_layer.records import ACTIVE_ROUTE, StoredPlan, StoredRoute
from planner.service_layer.route_writer import cancel_route, write_route, write_summary

# A planned arrival that moves less than this is not worth a route.updated.
MOVE_THRESHOLD_S = 60


@dataclass(frozen=True)
class Replan:
    """What one re-plan of a depot's date works with, read once before the solve."""

    tenant_id: str
    depot: StoredDepot
    day: date
    now: datetime
    event_time: datetime | None
    reason: str
    plan: StoredPlan
    vehicles: dict[str, StoredVehicle]
    active: list[StoredRoute]
    locks: dict[str, list[str]]
    snapshots: dict[str, OrderSnapshot]
    # Where and when tracking last saw each started vehicle: its locked stops' progress times.
    seen: dict[str, StopSeen] = field(default_factory=dict)

    @property
    def locked_ids(self) -> set[str]:
        """Orders served or in progress: fixed at the head of their vehicle's route."""
        return {oid for chain in self.locks.values() for oid in chain}


async def write_routes(
    uow: UnitOfWork, job: Replan, result: PlanResult, geometries: dict[str, str]
) -> tuple[list[str], int]:
    """Store and publish each changed route (with its road geometry, by vehicle id); return the
    plan's route ids and events published."""
    by_vehicle = {r.vehicle_id: r for r in job.active}
    route_ids: list[str] = []
    published = 0
    for route in result.routes:
        old = by_vehicle.get(route.vehicle_id)
        if old is not None and not await _still_active(uow, job.tenant_id, old.id):
            # The vehicle finished while the solver ran: never extend a closed route.
            # Its new orders stay pending, and another re-plan places them elsewhere.
            await uow.replans.request(
                job.tenant_id,
                job.depot.id,
                job.day,
                job.now,
                "route finished",
                event_time=job.event_time,
            )
            continue
        solved = solved_of(route)
        if old is not None and not _changed(old, solved):
            route_ids.append(old.id)
            continue
        route_id = old.id if old else new_id("rte")
        version = old.version + 1 if old else 1
        data = route_data(
            plan_id=job.plan.id,
            route_id=route_id,
            version=version,
            depot=job.depot,
            vehicle=job.vehicles[route.vehicle_id],
            route=route,
            day=job.day,
            orders=job.snapshots,
            locked=job.locked_ids,
            reason=job.reason if old else None,
            geometry=geometries.get(route.vehicle_id),
        )
        status = old.status if old else "planned"
        await write_route(
            uow,
            StoredRoute(
                job.tenant_id,
                route_id,
                job.plan.id,
                job.depot.id,
                job.day,
                route.vehicle_id,
                version,
                status,
                data,
                solved,
            ),
        )
        route_ids.append(route_id)
        published += 1
    return route_ids, published


async def cancel_emptied(uow: UnitOfWork, job: Replan, routed_vehicles: set[str]) -> int:
    """Cancel the active routes the re-plan gave no stops; return how many."""
    emptied = [r for r in job.active if r.vehicle_id not in routed_vehicles]
    for old in emptied:
        await cancel_route(uow, old, "cancelled", f"{job.reason}: no stops left")
    return len(emptied)


async def write_replan_summary(
    uow: UnitOfWork, job: Replan, result: PlanResult, route_ids: list[str]
) -> int:
    """The day's summary: finished routes plus the re-planned ones, and what is left out now;
    published (returns 1) when what is left out, or why, changed."""
    finished = [
        r
        for r in await uow.plans.routes_for(job.tenant_id, job.depot.id, job.day)
        if r.status == "completed" and r.id not in route_ids
    ]
    plan = job.plan
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
    # Dispatchers learn why an order the re-plan left out is out (or that it is in now).
    changed = _explained(summary) != _explained(plan.summary)
    await write_summary(uow, replace(plan, summary=summary), publish=changed)
    return int(changed)


async def _still_active(uow: UnitOfWork, tenant_id: str, route_id: str) -> bool:
    current = await uow.plans.get_route(tenant_id, route_id)
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


def _explained(summary: PlanCompleted) -> set[tuple[str, str]]:
    return {(u.order_id, u.reason_code) for u in summary.unassigned}
