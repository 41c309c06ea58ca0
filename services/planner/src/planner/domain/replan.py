"""Re-plan the unstarted part of routes while served and in-progress stops stay put."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from planner.domain.checker import check_plan
from planner.domain.fleet_data import compiled_data
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.plain_search import solve_plain
from planner.domain.replan_locks import Remainder, StopSeen, remainder, with_locked
from planner.domain.search import default_settings, solve_with

__all__ = ["StopSeen", "promise_windows", "replan", "replan_with_ortools"]

# OR-Tools' time when the compiled re-plan failed the checker (it should not: the result then
# says so in its notes).
FALLBACK_S = 0.5


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


def _break_may_have_begun(problem: PlanningProblem, part: Remainder) -> bool:
    """Did a started vehicle leave its last locked stop after one of its breaks could begin?
    Tracking does not say whether the driver took it, so OR-Tools, which places the break
    anywhere along the whole route, locked stops included, re-plans the day."""
    return any(
        b.earliest_start <= part.chains[v.id].departure
        for v in problem.vehicles
        if v.id in part.chains
        for b in v.breaks
    )


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
    there, not from the depot at its shift's start. Where the compiled search models what is
    left after the locks (`replan_locks.remainder`), it plans that, and the locked stops go back
    in front; else OR-Tools plans with the locks in its model. A started vehicle whose break
    could have begun before it left its last locked stop sends the re-plan to OR-Tools
    (`_break_may_have_begun`); one that left before any break could begin takes them all in
    what is left of its route.
    """
    problem = promise_windows(problem, previous)
    started = time.monotonic()
    seen = seen or {}
    locked_ids = frozenset(oid for chain in locked.values() for oid in chain)
    part = remainder(problem, locked, now_s, seen)
    data = compiled_data(part.problem) if part.problem.orders else None
    if data is None or _break_may_have_begun(problem, part):
        return replan_with_ortools(problem, previous, locked, now_s, time_limit_s, seen)
    initial = {
        r.vehicle_id: [v.order_id for v in r.visits if v.order_id not in locked_ids]
        for r in previous.routes
    }
    left = max(FALLBACK_S, time_limit_s - (time.monotonic() - started))
    found = solve_plain(part.problem, data, left, seed, None, initial)
    result = with_locked(problem, part, found)
    errors = check_plan(problem, result, served=locked_ids)
    if not errors:
        return replace(result, seconds=time.monotonic() - started)
    left = max(FALLBACK_S, time_limit_s - (time.monotonic() - started))
    fallback = replan_with_ortools(problem, previous, locked, now_s, left, seen)
    why = f"the compiled re-plan failed the checker ({errors[0]}); OR-Tools re-planned"
    return replace(fallback, notes=(*fallback.notes, why))


def replan_with_ortools(
    problem: PlanningProblem,
    previous: PlanResult,
    locked: Mapping[str, Sequence[str]],
    now_s: int,
    time_limit_s: float,
    seen: Mapping[str, StopSeen],
) -> PlanResult:
    """OR-Tools' routing search with the locks in its model, seeded with the previous routes."""
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
    began = _began(problem, seen, locked_ids)
    return solve_with(problem, settings, locks, now_s, initial, began)
