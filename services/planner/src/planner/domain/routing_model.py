"""Translate a planning problem into an OR-Tools routing model (dimensions, windows, rules)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.constraint_solver import pywrapcp

from planner.domain.layout import (
    COST_SCALE,
    Layout,
    VehicleMatrices,
    capacity_units,
    demand_units,
    scaled,
    span_limit,
    time_bounds,
)
from planner.domain.model import Order, PlanningProblem
from planner.domain.precheck import OrderFit
from planner.domain.window_data import merged

# Dropping one order must always cost more than any vehicle or detour it could need.
MIN_DROP_PENALTY = 10**6 * COST_SCALE
MAX_PRIORITY = 4
_CAPACITY_NAMES = ("weight", "volume", "parcels")


@dataclass
class RoutingModel:
    """The OR-Tools objects for one plan, with what is needed to read a solution back."""

    manager: Any
    routing: Any
    time: Any
    layout: Layout
    mats: list[VehicleMatrices]
    breaks: dict[int, list[Any]] = field(default_factory=dict)


def drop_penalty(problem: PlanningProblem, order: Order) -> int:
    """Penalty for leaving an order out: grows tenfold per priority level."""
    fixed = max((scaled(v.fixed_cost) for v in problem.vehicles), default=0)
    base = max(MIN_DROP_PENALTY, 100 * fixed)
    return int(base * 10 ** max(0, min(order.priority, MAX_PRIORITY)))


def _register_matrices(m: RoutingModel) -> tuple[list[int], list[int], list[int]]:
    by_id: dict[int, tuple[int, int, int]] = {}
    dist, time, cost = [], [], []
    for vm in m.mats:
        if id(vm) not in by_id:
            by_id[id(vm)] = (
                m.routing.RegisterTransitMatrix(vm.distance.tolist()),
                m.routing.RegisterTransitMatrix(vm.time.tolist()),
                m.routing.RegisterTransitMatrix(vm.cost.tolist()),
            )
        d, t, c = by_id[id(vm)]
        dist.append(d)
        time.append(t)
        cost.append(c)
    return dist, time, cost


def _add_time(
    m: RoutingModel, problem: PlanningProblem, cbs: list[int], horizon: int, locked: set[int]
) -> None:
    routing, manager = m.routing, m.manager
    routing.AddDimensionWithVehicleTransitAndCapacity(
        cbs, horizon, [horizon] * len(cbs), False, "time"
    )
    m.time = routing.GetDimensionOrDie("time")
    for vi, v in enumerate(problem.vehicles):
        start, end = time_bounds(problem, m.layout, vi)
        m.time.CumulVar(routing.Start(vi)).SetRange(start, end)
        m.time.CumulVar(routing.End(vi)).SetRange(start, end)
        span = span_limit(v)
        if span is not None:
            m.time.SetSpanUpperBoundForVehicle(span, vi)
        per_s = round(v.cost_per_hour * COST_SCALE / 3600)
        if per_s:
            m.time.SetSpanCostCoefficientForVehicle(per_s, vi)
        routing.AddVariableMinimizedByFinalizer(m.time.CumulVar(routing.End(vi)))
    for oi, order in enumerate(m.layout.orders):
        # A locked stop was served or is being served: its window no longer binds (a late
        # vehicle served it after the window closed), only its place in the sequence does.
        if oi not in locked:
            _add_windows(m, manager.NodeToIndex(m.layout.order_node(oi)), order, horizon)


def _add_windows(m: RoutingModel, index: int, order: Order, horizon: int) -> None:
    cumul = m.time.CumulVar(index)
    # Overlapping windows joined, as the compiled search and the checker read them: their union.
    windows = merged(order.windows)
    last = windows[-1][1]
    cumul.SetRange(windows[0][0], horizon if order.soft_windows else last)
    for (_, a_end), (b_start, _) in itertools.pairwise(windows):
        cumul.RemoveInterval(a_end + 1, b_start - 1)
    if order.soft_windows:
        m.time.SetCumulVarSoftUpperBound(index, last, max(1, scaled(order.lateness_cost_per_s)))


def _add_limits(m: RoutingModel, problem: PlanningProblem, dist_cbs: list[int]) -> None:
    limits = [v.distance_limit() for v in problem.vehicles]
    if all(x is None for x in limits):
        return
    big = 10**12
    caps = [big if x is None else x for x in limits]
    m.routing.AddDimensionWithVehicleTransitAndCapacity(dist_cbs, 0, caps, True, "distance")


def _add_capacities(m: RoutingModel, problem: PlanningProblem) -> None:
    demands = [demand_units(o) for o in m.layout.orders]
    caps = [capacity_units(v) for v in problem.vehicles]
    n_nodes = len(m.layout.locations)
    for k, name in enumerate(_CAPACITY_NAMES):
        if not any(d[k] for d in demands):
            continue
        per_node = [0] * n_nodes
        for oi, d in enumerate(demands):
            per_node[m.layout.order_node(oi)] = d[k]
        cb = m.routing.RegisterUnaryTransitVector(per_node)
        m.routing.AddDimensionWithVehicleCapacity(cb, 0, [c[k] for c in caps], True, name)


def _add_breaks(m: RoutingModel, problem: PlanningProblem) -> None:
    solver = m.routing.solver()
    visit = [
        m.layout.service[m.manager.IndexToNode(i)] if not m.routing.IsStart(i) else 0
        for i in range(m.routing.Size())
    ]
    for vi, v in enumerate(problem.vehicles):
        if not v.breaks:
            continue
        intervals = [
            solver.FixedDurationIntervalVar(
                b.earliest_start, b.latest_start, b.duration, False, f"break {vi}.{k}"
            )
            for k, b in enumerate(v.breaks)
        ]
        m.time.SetBreakIntervalsOfVehicle(intervals, vi, visit)
        m.breaks[vi] = intervals


def _add_orders(
    m: RoutingModel, problem: PlanningProblem, fits: Sequence[OrderFit], locked: set[int]
) -> None:
    n_vehicles = len(problem.vehicles)
    for oi, order in enumerate(m.layout.orders):
        index = m.manager.NodeToIndex(m.layout.order_node(oi))
        if oi in locked:
            continue
        m.routing.AddDisjunction([index], drop_penalty(problem, order))
        allowed = list(fits[oi].allowed)
        if len(allowed) < n_vehicles:
            m.routing.VehicleVar(index).SetValues([-1, *allowed])


def _add_locks(
    m: RoutingModel,
    locks: Mapping[int, Sequence[int]],
    not_before: int,
    began: Mapping[int, int],
) -> None:
    locked = {oi for chain in locks.values() for oi in chain}
    for vi, chain in locks.items():
        previous = m.routing.Start(vi)
        for oi in chain:
            index = m.manager.NodeToIndex(m.layout.order_node(oi))
            m.routing.NextVar(previous).SetValue(index)
            previous = index
            # Tracking saw the service begin then: the rest of the route goes on from there,
            # not from the depot at the shift's start.
            if oi in began:
                cumul = m.time.CumulVar(index)
                cumul.SetMin(min(began[oi], cumul.Max()))
    # Stops not yet started cannot be served in the past.
    for oi in range(len(m.layout.orders)):
        if oi not in locked:
            index = m.manager.NodeToIndex(m.layout.order_node(oi))
            cumul = m.time.CumulVar(index)
            if cumul.Max() >= not_before:
                cumul.SetMin(max(cumul.Min(), not_before))
            else:
                m.routing.VehicleVar(index).SetValue(-1)


def build_model(
    problem: PlanningProblem,
    layout: Layout,
    mats: list[VehicleMatrices],
    fits: Sequence[OrderFit],
    locks: Mapping[int, Sequence[int]] | None = None,
    not_before: int = 0,
    began: Mapping[int, int] | None = None,
) -> RoutingModel:
    """Build the routing model; `locks` fixes the first stops of routes (vehicle -> orders),
    `began` the earliest service start tracking saw at locked stops (order index -> second)."""
    manager = pywrapcp.RoutingIndexManager(
        len(layout.locations), len(problem.vehicles), layout.starts, layout.ends
    )
    m = RoutingModel(manager, pywrapcp.RoutingModel(manager), None, layout, mats)
    dist_cbs, time_cbs, cost_cbs = _register_matrices(m)
    for vi, v in enumerate(problem.vehicles):
        m.routing.SetArcCostEvaluatorOfVehicle(cost_cbs[vi], vi)
        if v.fixed_cost:
            m.routing.SetFixedCostOfVehicle(scaled(v.fixed_cost), vi)
    horizon = max(
        [problem.depot.opening.end]
        + [v.shift.end for v in problem.vehicles]
        + [w.end for o in layout.orders for w in o.windows]
    )
    locks = locks or {}
    locked = {oi for chain in locks.values() for oi in chain}
    _add_time(m, problem, time_cbs, horizon, locked)
    _add_limits(m, problem, dist_cbs)
    _add_capacities(m, problem)
    _add_breaks(m, problem)
    _add_orders(m, problem, fits, locked)
    _add_locks(m, locks, not_before, began or {})
    return m
