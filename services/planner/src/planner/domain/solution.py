"""Read an OR-Tools solution back into routes with times, breaks and load plans."""

from __future__ import annotations

import math
from typing import Any

from planner.domain.layout import is_drone
from planner.domain.loadplan import with_load_plan
from planner.domain.model import BreakTaken, PlanningProblem, Route, Visit
from planner.domain.routing_model import RoutingModel
from planner.domain.travel import leg_for_vehicle


def _breaks(model: RoutingModel, vi: int, solution: Any) -> tuple[BreakTaken, ...]:
    names = {interval.Name() for interval in model.breaks.get(vi, [])}
    container = solution.IntervalVarContainer()
    taken = []
    for k in range(container.Size()):
        element = container.Element(k)
        if element.Var().Name() in names and element.PerformedValue():
            taken.append(BreakTaken(element.StartValue(), element.DurationValue()))
    return tuple(sorted(taken, key=lambda b: b.start))


def read_route(model: RoutingModel, problem: PlanningProblem, vi: int, solution: Any) -> Route:
    """One vehicle's route as visits with arrival, start and departure times."""
    routing, manager, time_dim = model.routing, model.manager, model.time
    layout, vehicle = model.layout, problem.vehicles[vi]
    index = routing.Start(vi)
    start = solution.Value(time_dim.CumulVar(index))
    node = manager.IndexToNode(index)
    departure = start + layout.service[node]
    distance = 0.0
    visits = []
    while True:
        nxt = solution.Value(routing.NextVar(index))
        nxt_node = manager.IndexToNode(nxt)
        # The solver planned with the slowest bucket of the shift; the published arrival is the
        # one of the bucket the leg really departs in (never later than the solver's).
        metres, seconds = leg_for_vehicle(
            problem.travel,
            is_drone(vehicle),
            vehicle.speed_mps,
            vehicle.profile,
            layout.locations[node],
            layout.locations[nxt_node],
            departure,
        )
        distance += metres
        arrival = departure + math.ceil(seconds - 1e-9)
        if routing.IsEnd(nxt):
            end = solution.Value(time_dim.CumulVar(nxt))
            break
        begin = solution.Value(time_dim.CumulVar(nxt))
        order = layout.orders[nxt_node - 1]
        late = max(0, begin - max(w.end for w in order.windows))
        visits.append(Visit(order.id, arrival, begin, begin + order.service_time, late))
        index, node, departure = nxt, nxt_node, begin + order.service_time
    route = Route(
        vehicle.id,
        start,
        end,
        tuple(visits),
        _breaks(model, vi, solution),
        round(distance),
    )
    return with_load_plan(route, vehicle)


def read_routes(model: RoutingModel, problem: PlanningProblem, solution: Any) -> list[Route]:
    """Routes of all vehicles that leave the depot."""
    routes = []
    for vi in range(len(problem.vehicles)):
        if model.routing.IsEnd(solution.Value(model.routing.NextVar(model.routing.Start(vi)))):
            continue
        routes.append(read_route(model, problem, vi, solution))
    return routes
