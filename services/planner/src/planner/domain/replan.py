"""Re-plan the unstarted part of routes while served and in-progress stops stay put."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.search import default_settings, solve_with


@dataclass(frozen=True, slots=True)
class StopSeen:
    """What tracking last saw at a locked stop: the vehicle arrived there, or finished there,
    at `at` (seconds since the plan's midnight)."""

    at: int
    finished: bool = False


def _began(
    problem: PlanningProblem, seen: Mapping[str, StopSeen], locked: set[str]
) -> dict[int, int]:
    """Earliest service start per locked order index, from what tracking saw."""
    began = {}
    for oi, order in enumerate(problem.orders):
        stop = seen.get(order.id)
        if stop is not None and order.id in locked:
            began[oi] = stop.at - (order.service_time if stop.finished else 0)
    return began


def promise_windows(problem: PlanningProblem, previous: PlanResult) -> PlanningProblem:
    """Windows already promised to customers (earlier plan or `promised`) become hard."""
    promised = set(problem.promised) | set(previous.order_ids())
    orders = tuple(
        replace(o, soft_windows=False) if o.id in promised and o.soft_windows else o
        for o in problem.orders
    )
    return replace(problem, orders=orders, promised=frozenset(promised))


def replan(
    problem: PlanningProblem,
    previous: PlanResult,
    locked: Mapping[str, Sequence[str]],
    now_s: int,
    time_limit_s: float,
    seed: int,
    seen: Mapping[str, StopSeen] | None = None,
) -> PlanResult:
    """Re-optimise: `locked` maps vehicle id to its served/in-progress orders, in order.

    Locked stops stay first on their vehicle in the given order; every other stop starts no
    earlier than `now_s`; the previous routes seed the search so little moves without reason.
    A started vehicle goes on from its last stop tracking saw (`seen`), at the time it was seen
    there, not from the depot at its shift's start.
    """
    del seed  # The search is deterministic for a given work limit; kept for a uniform API.
    problem = promise_windows(problem, previous)
    vehicle_index = {v.id: i for i, v in enumerate(problem.vehicles)}
    order_index = {o.id: i for i, o in enumerate(problem.orders)}
    locks = {
        vehicle_index[vid]: [order_index[oid] for oid in chain]
        for vid, chain in locked.items()
        if chain
    }
    locked_ids = {oid for chain in locked.values() for oid in chain}
    initial: list[list[int]] = [list(locks.get(i, [])) for i in range(len(problem.vehicles))]
    for route in previous.routes:
        vi = vehicle_index.get(route.vehicle_id)
        if vi is None:
            continue
        initial[vi] += [
            order_index[v.order_id]
            for v in route.visits
            if v.order_id in order_index and v.order_id not in locked_ids
        ]
    settings = default_settings(len(problem.orders), time_limit_s)
    began = _began(problem, seen or {}, locked_ids)
    return solve_with(problem, settings, locks, now_s, initial, began)
