"""PyVRP on the same Solomon instance, its plan re-timed and checked by lastmile's checker.

PyVRP (MIT, https://pyvrp.org) is a benchmark-only dependency: `uv run --group bench`.
The model is the instance as `solomon.to_problem` states it: the same scaled integers (SCALE),
travel time rounded up so that every plan PyVRP calls feasible is feasible on the exact plane,
distance rounded, and the hierarchical objective (one vehicle costs more than any distance) as
a fixed cost per vehicle. Its routes are then timed on lastmile's own problem
(`replan_locks.drive_chain`) and go through `checker.check_plan` like lastmile's.
"""

from __future__ import annotations

import math
import time
from typing import Any

from planner.domain.checker import check_plan
from planner.domain.model import PlanningProblem, PlanResult, Route
from planner.domain.replan_locks import drive_chain
from planner.domain.travel import leg_for_vehicle

from bench.planner.solomon import SCALE, VEHICLE_COST, Instance
from bench.planner.vrptw import Outcome, plan_distance


def _model(inst: Instance) -> Any:
    from pyvrp import Model

    m = Model()
    rows = [inst.depot, *inst.customers]
    places = [m.add_location(c.x, c.y) for c in rows]
    d = inst.depot
    depot = m.add_depot(places[0], tw_early=_t(d.ready), tw_late=_t(d.due))
    m.add_vehicle_type(
        num_available=inst.vehicles,
        capacity=inst.capacity,
        start_depot=depot,
        end_depot=depot,
        fixed_cost=round(VEHICLE_COST * SCALE),
        tw_early=_t(d.ready),
        tw_late=_t(d.due),
    )
    for place, c in zip(places[1:], inst.customers, strict=True):
        m.add_client(
            place,
            delivery=c.demand,
            service_duration=_t(c.service),
            tw_early=_t(c.ready),
            tw_late=_t(c.due),
        )
    for a, ra in zip(places, rows, strict=True):
        for b, rb in zip(places, rows, strict=True):
            metres = math.hypot(ra.x - rb.x, ra.y - rb.y) * SCALE
            m.add_edge(a, b, distance=round(metres), duration=math.ceil(metres - 1e-9))
    return m


def _t(value: float) -> int:
    return round(value * SCALE)


def _routes(problem: PlanningProblem, visits: list[list[int]]) -> PlanResult:
    """PyVRP's visit orders as lastmile routes, timed on lastmile's own problem."""
    orders = {o.id: o for o in problem.orders}
    routes = []
    for vehicle, clients in zip(problem.vehicles, visits, strict=False):
        chain = drive_chain(problem, vehicle, [orders[str(c)] for c in clients], {})
        last = chain.visits[-1]
        _, back = leg_for_vehicle(
            problem.travel,
            False,
            vehicle.speed_mps,
            vehicle.profile,
            orders[last.order_id].location,
            problem.depot.location,
            last.departure,
        )
        end = last.departure + math.ceil(back - 1e-9)
        routes.append(Route(vehicle.id, chain.start, end, chain.visits))
    return PlanResult(tuple(routes), ())


def solve_pyvrp(
    inst: Instance, problem: PlanningProblem, time_limit_s: float, seed: int
) -> Outcome:
    """PyVRP's best plan within the limit, with its distance and lastmile's checker's verdict."""
    from pyvrp import PenaltyParams, SolveParams
    from pyvrp.stop import MaxRuntime

    started = time.monotonic()
    # A vehicle costs VEHICLE_COST (as for lastmile): the penalty of a unit of lateness must be
    # able to outgrow it, or a plan late by a little with a vehicle fewer beats every feasible
    # one (PyVRP's default cap, 1e5, warns that it binds).
    params = SolveParams(penalty=PenaltyParams(max_penalty=VEHICLE_COST * SCALE * 100))
    result = _model(inst).solve(MaxRuntime(time_limit_s), seed=seed, display=False, params=params)
    best = result.best
    # A route lists its depot and client activities; a client's `idx` counts clients only.
    numbers = [c.number for c in inst.customers]
    visits = [[numbers[a.idx] for a in r if a.is_client()] for r in best.routes()]
    plan = _routes(problem, visits)
    errors = check_plan(problem, plan) if best.is_feasible() else ["PyVRP: infeasible"]
    return Outcome(
        visits,
        plan_distance(problem, plan),
        time.monotonic() - started,
        errors,
        len(inst.customers) - sum(len(v) for v in visits),
    )
