"""A mixed fleet as integer data for the compiled search (`vrptw_data.Fleet`).

Modelled: vehicles that differ in capacity (weight, volume, parcels), skills, shift, own start
and end points, road profile or own speed (their matrices), distance limit (max route distance,
EV range), route-duration and working-time limits, fixed cost and price per km and per hour;
orders with one or more windows, hard or soft (`window_steps`: the service starts in the
earliest window reached; a soft-window order may be served after its last window at its
lateness price, as OR-Tools prices it, never before its first window or between two). The
price per hour counts driving time only (waiting and service are the same whichever vehicle
drives), and a vehicle without prices counts 1 per metre, as in the OR-Tools model; the
OR-Tools polish then weighs the exact span.

A route-duration or working-time limit L (without breaks, working time is the route's span,
`checker`) becomes a latest return of departure + L, the departure being the vehicle's earliest
start or, if later, the earliest it can serve any customer less the drive there (departing
then changes no service time). The compiled search departs at the earliest start and waits
where a window makes it; the bound is exact where no route can wait (every window open as soon
as the vehicle can get there) and cuts nothing where the vehicle can serve any customer as
late as its window allows. Any other limit, where OR-Tools could keep to it by departing later
to cut a wait (also: a vehicle with a limit that may serve an order with several windows, as
it can wait between them), sends the day to OR-Tools (`_latest_return`; docs/benchmarks.md).
Breaks (each vehicle's own, any number) are modelled exactly as the checker counts them
(`break_steps`), with two exceptions that send the day to OR-Tools: a vehicle with breaks and a
route-duration or working-time limit (the working time leaves out breaks taken inside the
route, which the latest-return bound cannot follow), and a break whose window closes before its
vehicle can leave (OR-Tools puts it before the route; the compiled search never does).
Drones (one order per flight) are not in the data: `drone_step` plans them around the compiled
search on the other vehicles.
"""

from __future__ import annotations

import numpy as np

from planner.domain.break_steps import path_ok
from planner.domain.layout import (
    COST_SCALE,
    UNREACHABLE,
    Layout,
    VehicleMatrices,
    build_layout,
    build_matrices,
    capacity_units,
    demand_units,
    scaled,
    span_limit,
    time_bounds,
)
from planner.domain.model import PlanningProblem, Vehicle, VehicleKind
from planner.domain.vrptw_data import Fleet, Ints, Routes, Vrptw, plain_vrptw
from planner.domain.window_data import OPEN, begin, order_windows

# Route distance limit when there is none (fits in int64 with any route's distance added).
NO_LIMIT = 1 << 60


def _modelled(v: Vehicle) -> bool:
    return v.kind != VehicleKind.DRONE and not (v.breaks and span_limit(v) is not None)


def _breaks(problem: PlanningProblem, layout: Layout) -> tuple[Ints, Ints] | None:
    """Per vehicle its breaks as rows (earliest start, latest start, duration), sorted by
    earliest start as the checker pairs them, and how many; None if a break's window closes
    before its vehicle can leave (after loading at the depot)."""
    most = max(1, *(len(v.breaks) for v in problem.vehicles))
    rows = np.zeros((len(problem.vehicles), most, 3), np.int64)
    count = np.zeros(len(problem.vehicles), np.int64)
    for vi, v in enumerate(problem.vehicles):
        wanted = sorted(v.breaks, key=lambda b: b.earliest_start)
        leaves = time_bounds(problem, layout, vi)[0] + layout.service[layout.starts[vi]]
        if any(b.latest_start < leaves for b in wanted):
            return None
        count[vi] = len(wanted)
        for k, b in enumerate(wanted):
            rows[vi, k] = (b.earliest_start, b.latest_start, b.duration)
    return rows, count


def _latest_return(
    v: Vehicle, earliest: int, latest: int, opens: Ints, closes: Ints, gaps: bool
) -> int | None:
    """Vehicle v's latest return, brought forward to its departure plus its span limit; None
    where a later departure could matter (OR-Tools plans those days).

    Per customer v may serve, `opens` is when v must leave to arrive as its window opens, and
    `closes` when v is back after serving it as its window closes. The compiled search departs
    at `earliest`; but no route serves anyone before `opens.min()`, so departing then changes
    no service time, and the span counts from there. That is exact where no route can wait
    (every window open as soon as v can get there), and the limit cuts nothing where v can
    serve any customer as late as its window allows; else OR-Tools, departing later to cut a
    wait, would find routes the compiled search cannot. With `gaps` (v may serve an order with
    several windows) a route may wait between two windows, so only the second case holds."""
    span = span_limit(v)
    if span is None:
        return latest
    depart = max(earliest, int(opens.min(initial=latest)))
    bound = min(latest, depart + span)
    no_wait = not gaps and int(opens.max(initial=earliest)) <= depart
    if no_wait or bound >= min(latest, int(closes.max(initial=earliest))):
        return bound
    return None


def compiled_data(problem: PlanningProblem) -> Vrptw | None:
    """The problem as data for the compiled search (identical or mixed fleet), or None."""
    plain = plain_vrptw(problem)
    if plain is not None:
        return plain
    if not problem.vehicles or not all(_modelled(v) for v in problem.vehicles):
        return None
    return fleet_vrptw(problem)


def _cost(m: VehicleMatrices, v: Vehicle) -> np.ndarray:
    """Objective units per arc: km and driving-hour prices, or metres without prices."""
    per_m = v.cost_per_km * COST_SCALE / 1000.0
    per_s = v.cost_per_hour * COST_SCALE / 3600.0
    if per_m <= 0 and per_s <= 0:
        return m.distance
    dist = np.minimum(m.travel.distance_m, UNREACHABLE)
    drive = np.minimum(m.travel.duration_s, UNREACHABLE)
    return np.rint(dist * per_m + drive * per_s).astype(np.int64)


def fleet_vrptw(problem: PlanningProblem) -> Vrptw | None:
    """Integer data over all nodes, one row of the fleet table per vehicle; None where a
    vehicle's span limit is one the compiled search cannot model exactly (`_latest_return`)."""
    orders = list(problem.orders)
    layout = build_layout(problem, orders)
    mats = build_matrices(problem, layout)
    nodes, n = len(layout.locations), len(orders)
    demands = [demand_units(o) for o in orders]
    dims = [k for k in range(3) if any(d[k] for d in demands)] or [2]
    classes: dict[tuple[int, float, float], int] = {}
    times, dists, costs, rows = [], [], [], []
    eligible = np.ones((len(problem.vehicles), nodes), np.bool_)
    wins, nw, late_from, late_cost = order_windows(orders, nodes)
    ready, due = wins[1 : n + 1, 0, 0], wins[np.arange(1, n + 1), nw[1 : n + 1] - 1, 1]
    several = nw[1 : n + 1] > 1
    for vi, (v, m) in enumerate(zip(problem.vehicles, mats, strict=True)):
        key = (id(m), v.cost_per_km, v.cost_per_hour)
        if key not in classes:
            classes[key] = len(classes)
            times.append(m.time)
            dists.append(m.distance)
            costs.append(_cost(m, v))
        eligible[vi, 1 : n + 1] = [o.skills <= v.skills for o in orders]
        earliest, latest = time_bounds(problem, layout, vi)
        mine = eligible[vi, 1 : n + 1]
        opens = ready - m.time[layout.starts[vi], 1 : n + 1]
        closes = due + m.time[1 : n + 1, layout.ends[vi]]
        gaps = bool(several[mine].any())
        back = _latest_return(v, earliest, latest, opens[mine], closes[mine], gaps)
        if back is None:
            return None
        limit = v.distance_limit()
        caps = capacity_units(v)
        rows.append(
            [classes[key], layout.starts[vi], layout.ends[vi], earliest, back]
            + [NO_LIMIT if limit is None else limit, scaled(v.fixed_cost)]
            + [caps[k] for k in dims]
        )
    table = np.array(rows, np.int64)
    breaks = _breaks(problem, layout)
    if breaks is None:
        return None
    service = np.array(layout.service, np.int64)
    fleet = Fleet(
        np.stack(times), np.stack(dists), np.stack(costs), table, eligible, n, *breaks, service,
        wins, nw, late_from, late_cost,
    )  # fmt: skip
    return Vrptw(
        [],
        [],
        [0] + [int(x) for x in ready] + [0] * (nodes - n - 1),
        [OPEN] + [int(x) for x in due] + [OPEN] * (nodes - n - 1),
        [[0] * len(dims)]
        + [[d[k] for k in dims] for d in demands]
        + [[0] * len(dims)] * (nodes - n - 1),
        [int(c) for c in table[:, 7:].max(axis=0)],
        None,
        fleet,
    )


def _alone(f: Fleet, data: Vrptw, v: int, c: int) -> bool:
    """Can vehicle v serve customer node c alone (window, shift, load, distance, breaks)?"""
    cls, start, end, earliest, latest, limit = (int(x) for x in f.table[v, :6])
    at = begin(data, c, earliest + int(f.time[cls, start, c]))
    return (
        bool(f.eligible[v, c])
        and at <= data.due[c]
        and at + int(f.time[cls, c, end]) <= latest
        and all(d <= cap for d, cap in zip(data.demand[c], f.table[v, 7:], strict=True))
        and int(f.dist[cls, start, c] + f.dist[cls, c, end]) <= limit
        and _breaks_hold(data, v, [start, c, end])
    )


def _breaks_hold(data: Vrptw, v: int, path: list[int]) -> bool:
    """Does vehicle v's path (start, customers, end) hold with its breaks (`break_steps`)?"""
    f = data.fleet
    if f is None or not f.break_count[v]:
        return True
    row = f.table[v]
    return bool(
        path_ok(
            np.array(path, np.int64), f.time[row[0]], f.service, f.windows, f.window_count,
            np.array(data.due, np.int64), row[3], row[4], f.breaks[v], f.break_count[v],
        )
    )  # fmt: skip


def alone_on_free_vehicles(
    data: Vrptw, start: tuple[Routes, list[int]], missing: list[int]
) -> tuple[Routes, list[int]]:
    """The start plus a route of its own for each missing customer some free vehicle can serve
    alone (the cheapest in fixed cost); route removal folds them in."""
    assert data.fleet is not None
    f = data.fleet
    routes, vehicles = list(start[0]), list(start[1])
    free = sorted(set(range(len(f.table))) - set(vehicles), key=lambda v: int(f.table[v, 6]))
    for c in missing:
        v = next((v for v in free if _alone(f, data, v, c)), None)
        if v is not None:
            free.remove(v)
            routes.append([c])
            vehicles.append(v)
    return routes, vehicles


def _vehicle_row(data: Vrptw, v: int) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """Time and distance matrices and the fleet-table row of vehicle v, either kind of data."""
    f = data.fleet
    if f is not None:
        cls = int(f.table[v, 0])
        return f.time[cls].tolist(), f.dist[cls].tolist(), [int(x) for x in f.table[v]]
    limit = NO_LIMIT if data.max_distance is None else data.max_distance
    return data.time, data.dist, [0, 0, 0, data.ready[0], data.due[0], limit, 0, *data.capacity]


def feasible_part(data: Vrptw, v: int, route: list[int]) -> list[int]:
    """The customers of `route` vehicle v can still serve in that order, each kept only if the
    vehicle reaches it in its window, carries it, and still gets back in time and range with
    its breaks: a re-plan's previous route, after the day moved on, or an OR-Tools route that
    took a break where the compiled search does not, as a start the search accepts."""
    time, dist, row = _vehicle_row(data, v)
    start, end, earliest, latest, limit = row[1:6]
    caps, load = row[7:], [0] * len(row[7:])
    kept: list[int] = []
    at, t, driven = start, earliest, 0
    for c in route:
        starts = begin(data, c, t + time[at][c])
        after = [a + d for a, d in zip(load, data.demand[c], strict=True)]
        if (
            (data.fleet is None or bool(data.fleet.eligible[v, c]))
            and starts <= data.due[c]
            and starts + time[c][end] <= latest
            and all(a <= cap for a, cap in zip(after, caps, strict=True))
            and driven + dist[at][c] + dist[c][end] <= limit
            and _breaks_hold(data, v, [start, *kept, c, end])
        ):
            kept.append(c)
            driven += dist[at][c]
            at, t, load = c, starts, after
    return kept
