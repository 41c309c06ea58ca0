"""Route minimisation for plain VRPTW by an ejection pool (after Nagata and Bräysy, simplified).

Remove a route, put its customers in a pool, and insert them back one by one: where no feasible
position exists, insert anyway and eject the one or two customers whose removal restores
feasibility and that have been ejected least often; random feasible relocations in between
keep the search from cycling. Works on the solver's own integer matrices, so every plan it
returns is feasible for the OR-Tools model too.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, replace

from planner.domain.layout import build_layout, build_matrices, time_bounds
from planner.domain.model import Order, PlanningProblem, VehicleKind

Routes = list[list[int]]
PERTURB_MOVES = 20


@dataclass(frozen=True)
class Vrptw:
    """Integer data of a one-window, one-capacity VRPTW; node 0 is the depot."""

    time: list[list[int]]  # travel plus service at the origin
    dist: list[list[int]]
    ready: list[int]
    due: list[int]
    demand: list[int]
    capacity: int


def _plain_fleet(problem: PlanningProblem) -> bool:
    fleet, depot = problem.vehicles, problem.depot.location
    if not fleet or any(replace(v, id=fleet[0].id) != fleet[0] for v in fleet):
        return False
    v = fleet[0]
    limits = (v.max_working_time, v.max_route_distance, v.max_route_duration, v.battery_range_m)
    return (
        v.kind != VehicleKind.DRONE
        and v.speed_mps is None
        and not v.breaks
        and all(x is None for x in limits)
        and v.start in (None, depot)
        and v.end in (None, depot)
    )


def _plain_order(o: Order) -> bool:
    return (
        len(o.windows) == 1
        and not o.soft_windows
        and not o.skills
        and o.demand.weight_kg == 0
        and o.demand.volume_m3 == 0
    )


def plain_vrptw(problem: PlanningProblem) -> Vrptw | None:
    """The problem as integer VRPTW data (node i + 1 is order i), or None if it needs more.

    Modelled: one hard window per order, parcels as the only capacity, identical vehicles that
    start and end at the depot without breaks, skills or limits.
    """
    if not _plain_fleet(problem) or not all(_plain_order(o) for o in problem.orders):
        return None
    orders = problem.orders
    layout = build_layout(problem, list(orders))
    mats = build_matrices(problem, layout)[0]
    start, end = time_bounds(problem, layout, 0)
    return Vrptw(
        mats.time.tolist(),
        mats.distance.tolist(),
        [start] + [o.windows[0].start for o in orders],
        [end] + [o.windows[0].end for o in orders],
        [0] + [o.demand.parcels for o in orders],
        problem.vehicles[0].capacity.parcels,
    )


def _feasible(p: Vrptw, route: list[int]) -> bool:
    t, prev, load = p.ready[0], 0, 0
    for c in route:
        load += p.demand[c]
        t = max(t + p.time[prev][c], p.ready[c])
        if t > p.due[c] or load > p.capacity:
            return False
        prev = c
    return t + p.time[prev][0] <= p.due[0]


class _Route:
    """A route with earliest (a) and latest (z) service starts per position, depot at both ends."""

    def __init__(self, p: Vrptw, nodes: list[int]) -> None:
        self.p, self.nodes = p, nodes
        self.refresh()

    def refresh(self) -> None:
        p, path = self.p, [0, *self.nodes, 0]
        self.path = path
        a = [p.ready[0]]
        for prev, c in itertools.pairwise(path):
            a.append(max(a[-1] + p.time[prev][c], p.ready[c]))
        z = [p.due[0]] * len(path)
        for i in range(len(path) - 2, -1, -1):
            z[i] = min(p.due[path[i]], z[i + 1] - p.time[path[i]][path[i + 1]])
        self.a, self.z = a, z
        self.load = sum(p.demand[c] for c in self.nodes)

    def insertions(self, v: int) -> list[tuple[int, int]]:
        """Feasible (added distance, position) pairs for customer v."""
        p, path = self.p, self.path
        out: list[tuple[int, int]] = []
        if self.load + p.demand[v] > p.capacity:
            return out
        for i in range(len(path) - 1):
            u, w = path[i], path[i + 1]
            av = max(p.ready[v], self.a[i] + p.time[u][v])
            if av <= p.due[v] and av + p.time[v][w] <= self.z[i + 1]:
                out.append((p.dist[u][v] + p.dist[v][w] - p.dist[u][w], i))
        return out


def _walk(p: Vrptw, prev: int, t: int, nodes: list[int]) -> tuple[int, int] | None:
    """Service start at the last of `nodes` leaving `prev` at start time t, or None if late."""
    for c in nodes:
        t = max(t + p.time[prev][c], p.ready[c])
        if t > p.due[c]:
            return None
        prev = c
    return prev, t


def _eject_one(
    p: Vrptw, route: _Route, v: int, pen: list[int], bound: int
) -> tuple[int, list[int], list[int]] | None:
    """Cheapest insertion of v that ejects one customer, with its penalty below `bound`."""
    nodes, path, a, z = route.nodes, route.path, route.a, route.z
    best: tuple[int, list[int], list[int]] | None = None
    extra = route.load + p.demand[v] - p.capacity
    for j, e in enumerate(nodes):
        if pen[e] >= bound or p.demand[e] < extra:
            continue
        for pos in range(len(nodes) + 1):
            # Positions are in `nodes`; path index = node index + 1 (depot first).
            if pos <= j:
                seq, start, join = [v, *nodes[pos:j]], pos, j + 2
            else:
                seq, start, join = [*nodes[j + 1 : pos], v], j, pos + 1
            walked = _walk(p, path[start], a[start], seq)
            if walked is None:
                continue
            last, t = walked
            if t + p.time[last][path[join]] > z[join]:
                continue
            kept = [*nodes[:pos], v, *nodes[pos:]]
            kept.remove(e)
            best, bound = (pen[e], kept, [e]), pen[e]
            break
    return best


def _eject_two(
    p: Vrptw, route: _Route, v: int, pen: list[int], bound: int
) -> tuple[int, list[int], list[int]] | None:
    """Cheapest insertion of v that ejects two customers (full check, used rarely)."""
    best: tuple[int, list[int], list[int]] | None = None
    nodes = route.nodes
    for out in itertools.combinations(nodes, 2):
        cost = pen[out[0]] + pen[out[1]]
        if cost >= bound:
            continue
        rest = [c for c in nodes if c not in out]
        for pos in range(len(rest) + 1):
            kept = [*rest[:pos], v, *rest[pos:]]
            if _feasible(p, kept):
                best, bound = (cost, kept, list(out)), cost
                break
    return best


def _perturb(p: Vrptw, routes: list[_Route], rng: random.Random, moves: int) -> None:
    """Random feasible relocations between routes (removal never breaks feasibility)."""
    for _ in range(moves):
        src = rng.choice(routes)
        if not src.nodes:
            continue
        u = rng.choice(src.nodes)
        options = [(r, pos) for r in routes if r is not src for _, pos in r.insertions(u)]
        if not options:
            continue
        dst, pos = rng.choice(options)
        src.nodes.remove(u)
        src.refresh()
        dst.nodes.insert(pos, u)
        dst.refresh()


def _cheapest_ejection(
    p: Vrptw, routes: list[_Route], v: int, pen: list[int]
) -> tuple[tuple[int, list[int], list[int]], _Route] | None:
    for eject in (_eject_one, _eject_two):
        choice, bound = None, 1 << 30
        for r in routes:
            found = eject(p, r, v, pen, bound)
            if found is not None:
                choice, bound = (found, r), found[0]
        if choice is not None:
            return choice
    return None


def _squeeze(
    p: Vrptw, kept: Routes, pool: list[int], deadline: float, rng: random.Random
) -> Routes | None:
    routes = [_Route(p, list(r)) for r in kept]
    pen = [1] * len(p.ready)
    while pool:
        if time.monotonic() > deadline:
            return None
        v = pool.pop()
        spots = [(cost, pos, r) for r in routes for cost, pos in r.insertions(v)]
        if spots:
            _, pos, r = min(spots, key=lambda s: s[:2])
            r.nodes.insert(pos, v)
            r.refresh()
            continue
        pen[v] += 1
        choice = _cheapest_ejection(p, routes, v, pen)
        if choice is None:
            pool.insert(0, v)
        else:
            (_, nodes, out), r = choice
            r.nodes = nodes
            r.refresh()
            pool.extend(out)
        _perturb(p, routes, rng, PERTURB_MOVES)
    return [r.nodes for r in routes if r.nodes]


def capacity_floor(p: Vrptw) -> int:
    """No plan needs fewer routes than total demand over one vehicle's capacity."""
    return max(1, -(-sum(p.demand) // max(1, p.capacity)))


def minimise_routes(
    p: Vrptw, routes: Routes, deadline: float, seed: int = 0, tries: int = 3
) -> Routes:
    """Feasible `routes` (node lists) with as few routes as found before the deadline.

    Tries to remove the shortest route, then the next ones; after `tries` failures in a row
    (each with an equal share of the time left) it stops.
    """
    rng = random.Random(seed)
    best = [list(r) for r in routes if r]
    failures = 0
    while len(best) > capacity_floor(p) and failures < tries and time.monotonic() < deadline:
        by_length = sorted(range(len(best)), key=lambda i: len(best[i]))
        drop = by_length[failures % len(by_length)]
        share = (deadline - time.monotonic()) / (tries - failures)
        kept = [r for i, r in enumerate(best) if i != drop]
        result = _squeeze(p, kept, list(best[drop]), time.monotonic() + share, rng)
        if result is None:
            failures += 1
        else:
            best, failures = result, 0
    return best
