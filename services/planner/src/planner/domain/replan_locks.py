"""A re-plan as a plain planning problem: what is left after the locked stops and `now`.

The compiled search knows no locks, so the re-plan is transformed before it runs:
- a vehicle with locked stops starts at its last locked stop, when it leaves it (tracking's
  times where it saw the stop, else driven along the chain from the shift's start), with its
  capacity less the locked orders' demand and its distance limit less the chain's distance;
- every other vehicle departs no earlier than `now_s`; windows of the other orders begin no
  earlier than `now_s` (an order whose windows all closed is left out);
- locked orders leave the problem, and come back in front of their vehicle's route afterwards
  (`with_locked`), with their times.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from planner.domain.layout import is_drone
from planner.domain.loadplan import with_load_plan
from planner.domain.model import (
    Capacity,
    Order,
    PlanningProblem,
    PlanResult,
    ReasonCode,
    Route,
    TimeWindow,
    Unplaced,
    Vehicle,
    Visit,
)
from planner.domain.travel import leg_for_vehicle


@dataclass(frozen=True, slots=True)
class StopSeen:
    """What tracking last saw at a locked stop: the vehicle arrived there, or finished there,
    at `at` (seconds since the plan's midnight)."""

    at: int
    finished: bool = False


@dataclass(frozen=True)
class Chain:
    """A vehicle's locked stops as driven: its route's start, the visits, the distance."""

    start: int
    visits: tuple[Visit, ...]
    distance_m: float

    @property
    def departure(self) -> int:
        """When the vehicle leaves its last locked stop."""
        return self.visits[-1].departure


@dataclass(frozen=True)
class Remainder:
    """The re-plan without its locks: the problem to search, the locked chains by vehicle id,
    and orders left out because their windows closed before `now`."""

    problem: PlanningProblem
    chains: dict[str, Chain]
    closed: tuple[Unplaced, ...]


def _leg(
    p: PlanningProblem, v: Vehicle, a: Order | None, b: Order | None, t: int
) -> tuple[float, float]:
    here = a.location if a else v.start or p.depot.location
    there = b.location if b else v.end or p.depot.location
    return leg_for_vehicle(p.travel, is_drone(v), v.speed_mps, v.profile, here, there, t)


def drive_chain(
    problem: PlanningProblem, v: Vehicle, chain: Sequence[Order], seen: Mapping[str, StopSeen]
) -> Chain:
    """The locked stops timed from the shift's start with the problem's travel times; where
    tracking saw a stop, service began no earlier than it saw."""
    depot = problem.depot
    at_depot = v.start is None or v.start == depot.location
    start = max(v.shift.start, depot.opening.start) if at_depot else v.shift.start
    t = start + (depot.loading_time if at_depot else 0)
    visits, distance, previous = [], 0.0, None
    for order in chain:
        metres, seconds = _leg(problem, v, previous, order, t)
        arrival = t + math.ceil(seconds - 1e-9)
        stop = seen.get(order.id)
        if stop is not None:
            begin = max(arrival, stop.at - (order.service_time if stop.finished else 0))
        else:  # the driver waits for the window, as planned
            opens = [w.start for w in order.windows if w.end >= arrival]
            begin = max(arrival, min(opens, default=arrival))
        visits.append(Visit(order.id, arrival, begin, begin + order.service_time))
        distance += metres
        t, previous = begin + order.service_time, order
    return Chain(start, tuple(visits), distance)


def _less(c: Capacity, orders: Sequence[Order]) -> Capacity:
    return Capacity(
        max(0.0, c.weight_kg - sum(o.demand.weight_kg for o in orders)),
        max(0.0, c.volume_m3 - sum(o.demand.volume_m3 for o in orders)),
        max(0, c.parcels - sum(o.demand.parcels for o in orders)),
    )


def _after_chain(v: Vehicle, chain: Sequence[Order], driven: Chain) -> Vehicle:
    used = math.ceil(driven.distance_m)
    return replace(
        v,
        start=chain[-1].location,
        shift=TimeWindow(driven.departure, v.shift.end),
        capacity=_less(v.capacity, chain),
        max_route_distance=None if v.max_route_distance is None else v.max_route_distance - used,
        battery_range_m=None if v.battery_range_m is None else v.battery_range_m - used,
    )


def _from_now(o: Order, now_s: int) -> Order | None:
    if o.soft_windows:
        return replace(o, windows=tuple(replace(w, start=max(w.start, now_s)) for w in o.windows))
    windows = tuple(TimeWindow(max(w.start, now_s), w.end) for w in o.windows if w.end >= now_s)
    return replace(o, windows=windows) if windows else None


def remainder(
    problem: PlanningProblem,
    locked: Mapping[str, Sequence[str]],
    now_s: int,
    seen: Mapping[str, StopSeen],
) -> Remainder:
    """The re-plan as a problem without locks (see the module's docstring)."""
    by_id = {o.id: o for o in problem.orders}
    chains: dict[str, Chain] = {}
    vehicles = []
    for v in problem.vehicles:
        chain = [by_id[oid] for oid in locked.get(v.id, ())]
        if chain:
            chains[v.id] = drive_chain(problem, v, chain, seen)
            v = _after_chain(v, chain, chains[v.id])
        else:
            v = replace(v, shift=TimeWindow(max(v.shift.start, now_s), v.shift.end))
        if v.shift.start < v.shift.end:
            vehicles.append(v)
    locked_ids = {oid for chain in locked.values() for oid in chain}
    orders, closed = [], []
    for o in problem.orders:
        if o.id in locked_ids:
            continue
        later = _from_now(o, now_s)
        if later is None:
            why = f"its delivery window closed before the re-plan at {now_s // 3600:02d}:"
            closed.append(
                Unplaced(o.id, ReasonCode.WINDOW_UNREACHABLE, why + f"{now_s // 60 % 60:02d}")
            )
        else:
            orders.append(later)
    rest = replace(problem, vehicles=tuple(vehicles), orders=tuple(orders))
    return Remainder(rest, chains, tuple(closed))


def _joined(problem: PlanningProblem, v: Vehicle, chain: Chain, rest: Route | None) -> Route:
    if rest is None:
        last = next(o for o in problem.orders if o.id == chain.visits[-1].order_id)
        metres, seconds = _leg(problem, v, last, None, chain.departure)
        end = chain.departure + math.ceil(seconds - 1e-9)
        route = Route(v.id, chain.start, end, chain.visits, (), round(chain.distance_m + metres))
    else:
        route = replace(
            rest,
            start=chain.start,
            visits=chain.visits + rest.visits,
            distance_m=round(chain.distance_m) + rest.distance_m,
        )
    return with_load_plan(route, v)


def with_locked(problem: PlanningProblem, part: Remainder, result: PlanResult) -> PlanResult:
    """The remainder's plan with each vehicle's locked stops back in front, in the original
    problem's vehicle order, and the orders whose windows closed among the unplaced."""
    searched = {r.vehicle_id: r for r in result.routes}
    routes = []
    for v in problem.vehicles:
        chain, rest = part.chains.get(v.id), searched.get(v.id)
        if chain is not None:
            routes.append(_joined(problem, v, chain, rest))
        elif rest is not None:
            routes.append(rest)
    return replace(result, routes=tuple(routes), unplaced=result.unplaced + part.closed)
