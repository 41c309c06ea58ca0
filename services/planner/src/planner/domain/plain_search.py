"""The compiled search's days: OR-Tools start, compiled ruin and recreate, OR-Tools polish.

Days `fleet_data.compiled_data` models: identical vehicles or a mixed fleet (see there). The
start is OR-Tools' insertion plus guided local search until FIRST_SHARE of the budget (up to
GLS_START_UP_TO orders; above, the insertion alone, which may take until FEWER_UNTIL). Route
removal (`fewer_routes`) runs until FEWER_UNTIL, cost (`shorten`) until SHORTEN_UNTIL; OR-Tools
then polishes the routes it is handed, on the vehicles that drive them, and reads them back as
timed routes. A start that leaves orders out gives them routes of their own on free vehicles
that can serve them alone, and route removal places the rest first; when it cannot, OR-Tools
plans the day from scratch (kept unless it leaves out more than route removal's routes). With a
work limit every phase also has a work budget (solutions for OR-Tools, STEPS_PER_WORK
ruin-and-recreate steps per unit for the compiled phases), so a limit that binds before the
clock gives the same plan on any machine."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from planner.domain.explain import explain
from planner.domain.fleet_data import alone_on_free_vehicles, compiled_data, feasible_part
from planner.domain.layout import build_layout, build_matrices
from planner.domain.model import PlanningProblem, PlanResult, Unplaced
from planner.domain.precheck import check_orders
from planner.domain.ruin_recreate import Plan, fewer_routes, shorten
from planner.domain.search import default_settings, solve_with
from planner.domain.vrptw_data import Vrptw

FIRST_SHARE = 0.05
FEWER_UNTIL = 0.3
SHORTEN_UNTIL = 0.97
# Above this many orders the start is OR-Tools' first solution alone: its guided local search
# would spend the start's share of the budget before it finished one.
GLS_START_UP_TO = 200
# Ruin-and-recreate steps per unit of work limit; route removal gets a quarter of them.
STEPS_PER_WORK = 40
# The polish needs at least this long per order to take the handed routes (measured: 0.7 s for
# 1,000 orders with breaks on a loaded box, docs/benchmarks.md); annealing stops in time for it.
POLISH_S_PER_ORDER = 0.0015
# If the polish could not even take the routes in the time left, they are read as they are
# (one solution) in at most this long, past the budget.
READ_S = 5.0
# Routes to start from: vehicle id -> order ids in visiting order.
Initial = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class _Budget:
    """Where the run started, how long it may take, and its work limit if any."""

    started: float
    time_limit_s: float
    work_limit: int | None

    def until(self, share: float) -> float:
        return self.started + self.time_limit_s * share

    def left(self) -> float:
        return self.time_limit_s - (time.monotonic() - self.started)

    def polish_from(self, orders: int) -> float:
        """When annealing stops: at SHORTEN_UNTIL, or earlier to leave the polish the time it
        needs to take the routes."""
        reserve = POLISH_S_PER_ORDER * orders
        return min(self.until(SHORTEN_UNTIL), self.started + self.time_limit_s - reserve)


def _attempt(
    problem: PlanningProblem,
    seconds: float,
    work_limit: int | None,
    initial: list[list[int]] | None = None,
) -> PlanResult:
    """One OR-Tools search; `initial` routes hold order indices."""
    seed = None
    if initial is not None:
        seed = initial + [[] for _ in range(len(problem.vehicles) - len(initial))]
    scaled = default_settings(len(problem.orders), seconds)
    return solve_with(problem, replace(scaled, work_limit=work_limit), initial_routes=seed)


def _seed(problem: PlanningProblem, data: Vrptw, initial: Initial | None) -> list[list[int]] | None:
    """Routes to start from (vehicle id -> order ids) as order indices per vehicle position,
    without orders the problem no longer has or its vehicle can no longer serve in that order."""
    if initial is None:
        return None
    node = {o.id: i + 1 for i, o in enumerate(problem.orders)}
    routes = [[node[o] for o in initial.get(v.id, ()) if o in node] for v in problem.vehicles]
    return _orders([feasible_part(data, v, r) for v, r in enumerate(routes)])


def _start(
    problem: PlanningProblem, data: Vrptw, budget: _Budget, initial: Initial | None
) -> PlanResult:
    """The plan the compiled search starts from: OR-Tools' search from `initial` (what of it
    is still feasible) if given, else from scratch."""
    seed = _seed(problem, data, initial)
    if budget.work_limit is not None:
        # A work limit must end the start, not the clock: up to route removal's deadline.
        return _attempt(problem, budget.time_limit_s * FEWER_UNTIL, budget.work_limit, seed)
    if len(problem.orders) > GLS_START_UP_TO:
        return _attempt(problem, budget.time_limit_s * FEWER_UNTIL, 1, seed)
    return _attempt(problem, budget.time_limit_s * FIRST_SHARE, None, seed)


def _steps(budget: _Budget) -> int | None:
    """Ruin-and-recreate steps of the distance phase under a work limit (a quarter for routes)."""
    return None if budget.work_limit is None else budget.work_limit * STEPS_PER_WORK


def _alone_fits(data: Vrptw, c: int) -> bool:
    """Can one vehicle serve customer node c alone, from and back to the depot?"""
    begin = max(data.ready[c], data.ready[0] + data.time[0][c])
    back = begin + data.time[c][0]
    drive = data.dist[0][c] + data.dist[c][0]
    return (
        begin <= data.due[c]
        and back <= data.due[0]
        and all(d <= cap for d, cap in zip(data.demand[c], data.capacity, strict=True))
        and (data.max_distance is None or drive <= data.max_distance)
    )


def _completed(data: Vrptw, start: Plan, fleet: int) -> Plan:
    """The start with customers it left out on routes of their own while the fleet has room;
    route removal folds them in, and places the rest first."""
    routes, vehicles = start
    placed = {c for r in routes for c in r}
    missing = [c for c in range(1, data.customers + 1) if c not in placed]
    if data.fleet is not None:
        return alone_on_free_vehicles(data, start, missing)
    room = fleet - len(routes)
    alone = [c for c in missing if _alone_fits(data, c)][: max(0, room)]
    return routes + [[c] for c in alone], vehicles + list(
        range(len(routes), len(routes) + len(alone))
    )


def _held(data: Vrptw, start: Plan) -> Plan:
    """The start with each route cut to what holds under the compiled search's rules: OR-Tools
    may take a break where it does not (during the depot's loading time)."""
    if data.fleet is None or not data.fleet.break_count.any():
        return start
    cut = [(feasible_part(data, v, r), v) for r, v in zip(*start, strict=True)]
    kept = [(r, v) for r, v in cut if r]
    return [r for r, _ in kept], [v for _, v in kept]


def _by_vehicle(problem: PlanningProblem, result: PlanResult) -> list[list[int]]:
    """A plan's routes as order indices per vehicle position."""
    index = {o.id: i for i, o in enumerate(problem.orders)}
    routes = {r.vehicle_id: [index[v.order_id] for v in r.visits] for r in result.routes}
    return [routes.get(v.id, []) for v in problem.vehicles]


def _orders(routes: list[list[int]]) -> list[list[int]]:
    """Customer nodes to order indices."""
    return [[c - 1 for c in r] for r in routes]


def _on(problem: PlanningProblem, data: Vrptw, used: list[int]) -> PlanningProblem:
    """The problem on only the vehicles that drive a route, route k on the k-th, so OR-Tools
    cannot open another; and without fixed costs: OR-Tools adds them to a route's first arc,
    where guided local search would then spend its penalties instead of on the arcs that make
    the distance."""
    chosen = [problem.vehicles[v] for v in used] if data.fleet else problem.vehicles[: len(used)]
    return replace(problem, vehicles=tuple(replace(v, fixed_cost=0.0) for v in chosen))


def _left_out(problem: PlanningProblem, result: PlanResult) -> int:
    """What a plan leaves out, weighed as the objective does (tenfold per priority level)."""
    priority = {o.id: o.priority for o in problem.orders}
    return sum(10 ** max(0, priority[u.order_id]) for u in result.unplaced)


def _with_fixed_costs(problem: PlanningProblem, result: PlanResult) -> PlanResult:
    fixed = {v.id: v.fixed_cost for v in problem.vehicles}
    cost = result.cost + sum(fixed[r.vehicle_id] for r in result.routes)
    return replace(result, cost=cost)


def _servable(problem: PlanningProblem) -> tuple[PlanningProblem, tuple[Unplaced, ...]]:
    """The day without orders no vehicle can serve even alone, and those orders explained."""
    orders = list(problem.orders)
    layout = build_layout(problem, orders)
    fits = check_orders(problem, layout, build_matrices(problem, layout), 0)
    kept = tuple(o for o, f in zip(orders, fits, strict=True) if f.allowed)
    out = tuple(explain(problem, o, f) for o, f in zip(orders, fits, strict=True) if not f.allowed)
    return replace(problem, orders=kept), out


def solve_plain(
    problem: PlanningProblem,
    data: Vrptw,
    time_limit_s: float,
    seed: int,
    work_limit: int | None,
    initial: Initial | None = None,
) -> PlanResult:
    """Fewest vehicles, then shortest distance, for a day `plain_vrptw` turned into `data`.

    Orders no vehicle can serve (too heavy, no road access, a window out of reach) are left out
    first with their reasons: route removal needs every other order placed. `initial` (vehicle
    id -> order ids, a re-plan's previous routes) seeds the start.
    """
    started = time.monotonic()
    servable, impossible = _servable(problem)
    if impossible:
        again = compiled_data(servable) if servable.orders else None
        if again is None:
            return _attempt(problem, time_limit_s, work_limit)
        left = time_limit_s - (time.monotonic() - started)
        result = _solve_servable(servable, again, left, seed, work_limit, initial)
        return replace(result, unplaced=result.unplaced + impossible)
    return _solve_servable(problem, data, time_limit_s, seed, work_limit, initial)


def _solve_servable(
    problem: PlanningProblem,
    data: Vrptw,
    time_limit_s: float,
    seed: int,
    work_limit: int | None,
    initial: Initial | None,
) -> PlanResult:
    budget = _Budget(time.monotonic(), time_limit_s, work_limit)
    first = _start(problem, data, budget, initial)
    index = {o.id: i for i, o in enumerate(problem.orders)}
    vehicle = {v.id: k for k, v in enumerate(problem.vehicles)}
    kept = [r for r in first.routes if r.visits]
    start = (
        [[index[v.order_id] + 1 for v in r.visits] for r in kept],
        [vehicle[r.vehicle_id] for r in kept] if data.fleet else list(range(len(kept))),
    )
    start = _completed(data, _held(data, start), len(problem.vehicles))
    steps = _steps(budget)
    if start[0]:
        fleet_steps = None if steps is None else max(1, steps // 4)
        start = fewer_routes(
            data, start[0], budget.until(FEWER_UNTIL), seed, fleet_steps, vehicles=start[1]
        )
    if sum(map(len, start[0])) < len(problem.orders):
        # More orders than the fleet can take: ruin and recreate works on complete plans, so
        # OR-Tools, which weighs what to leave out by priority, plans the day from scratch in
        # the rest of the budget; unless that finds nothing better in the time it has (a
        # loaded machine), the routes route removal left are the plan. A re-plan's OR-Tools
        # search goes on from its start instead: that start kept what still held of the
        # previous routes.
        again = None if initial is None else _by_vehicle(problem, first)
        scratch = _attempt(problem, max(0.5, budget.left()), work_limit, again)
        if not start[0]:
            # No routes left at all (OR-Tools' model of no vehicles crashes): nothing to keep.
            return scratch
        partial = _attempt(_on(problem, data, start[1]), 0.5, 1, _orders(start[0]))
        return min(
            (scratch, _with_fixed_costs(problem, partial)), key=lambda r: _left_out(problem, r)
        )
    deadline = budget.polish_from(len(problem.orders))
    shorter, used = shorten(data, start[0], deadline, seed, steps, vehicles=start[1])
    routes = _orders(shorter)
    polished = _attempt(_on(problem, data, used), max(0.5, budget.left()), work_limit, routes)
    if polished.status != "ok":
        # Out of time before OR-Tools took the routes (a loaded machine): better late with the
        # compiled routes than in time with the start's.
        polished = _attempt(_on(problem, data, used), READ_S, 1, routes)
    if polished.unplaced or polished.status != "ok" or len(polished.routes) > len(routes):
        return _attempt(problem, max(0.5, budget.left()), work_limit) if first.unplaced else first
    done = _with_fixed_costs(problem, polished)
    return replace(done, seconds=time.monotonic() - budget.started)
