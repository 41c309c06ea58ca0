"""Ruin-and-recreate searches for VRPTW (after SISR, Christiaens & Vanden Berghe).

Both repeat the compiled step of `ruin_steps` and `recreate_step` and differ in which results
they keep:

- `shorten`: simulated annealing on cost (arcs and the fixed costs of the vehicles used) with at
  most as many routes as the start plan;
- `fewer_routes`: take customers of the shortest route out and keep the routes that leave
  fewer (or more rarely left out) customers unplaced, until every customer is placed with one
  route fewer; then the next route.

It works on the integer `Vrptw` data of `vrptw_data` (identical vehicles) or `fleet_data`
(a mixed fleet), so every plan it returns is feasible for the OR-Tools model as it is. A plan
is routes of customers and, per route, the vehicle (row of the fleet table) that drives it. The hot loop runs in compiled chunks of iterations;
Python checks the clock between chunks.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from planner.domain.recreate_step import recreate
from planner.domain.ruin_steps import (
    CUSTOMERS,
    VEH,
    compact,
    copy_solution,
    refresh_in,
    ruin,
    seed_random,
    take_out,
    total_cost,
)
from planner.domain.vrptw_data import Routes, Vrptw, capacity_floor

Ints = npt.NDArray[np.int64]
Solution = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints]
Instance = tuple[Any, ...]
Plan = tuple[Routes, list[int]]

# Annealing temperatures, in multiples of the start plan's mean distance per customer.
START_TEMPERATURE = 10.0
END_TEMPERATURE = 0.05
CHUNK = 2000
# Route distance limit when there is none (fits in int64 with any route's distance added).
NO_LIMIT = 1 << 60
FLEET_CHUNK = CHUNK // 4


@njit(cache=True)
def _absence(sol, seen):  # type: ignore[no-untyped-def]
    U, H = sol[5], sol[4]
    s = 0
    for i in range(H[1]):
        s += seen[U[i]]
    return s


@njit(cache=True)
def _drop_shortest(sol, n_routes_floor):  # type: ignore[no-untyped-def]
    """Take all customers of a shortest route out (random among equals); none at the floor."""
    R, H = sol[3], sol[4]
    if H[0] <= n_routes_floor:
        return np.zeros(0, np.bool_)
    k_best = 0
    ties = 0
    for k in range(H[0]):
        if R[k, CUSTOMERS] < R[k_best, CUSTOMERS]:
            k_best = k
            ties = 1
        elif R[k, CUSTOMERS] == R[k_best, CUSTOMERS]:
            ties += 1
            if np.random.random() * ties < 1.0:
                k_best = k
    touched = np.zeros(H[0], np.bool_)
    take_out(sol, k_best, 1, R[k_best, CUSTOMERS], 0, 0)
    touched[k_best] = True
    return touched


@njit(cache=True)
def _anneal_chunk(cur, work, best, steps, t_from, t_to, inst, adj, n):  # type: ignore[no-untyped-def]
    ratio = (t_to / t_from) ** (1.0 / steps)
    temp = t_from
    veh = inst[6]
    cur_cost = total_cost(cur, veh)
    best_cost = total_cost(best, veh)
    max_routes = cur[4][0]
    for _ in range(steps):
        copy_solution(cur, work)
        touched = ruin(work, adj, n)
        compact(work, touched, inst)
        recreate(work, max_routes, inst)
        temp *= ratio
        if work[4][1] > 0:
            continue
        cost = total_cost(work, veh)
        if cost < cur_cost - temp * math.log(1.0 - np.random.random()):
            copy_solution(work, cur)
            cur_cost = cost
            fewer = cur[4][0] < best[4][0]
            if fewer or (cur[4][0] == best[4][0] and cost < best_cost):
                copy_solution(cur, best)
                best_cost = cost


@njit(cache=True)
def _fleet_chunk(cur, work, best, seen, steps, floor, inst, adj, n):  # type: ignore[no-untyped-def]
    """Steps of route removal; returns False once no route can go (the floor is reached)."""
    for _ in range(steps):
        if cur[4][1] == 0:
            if cur[4][0] < best[4][0] or best[4][1] > 0:
                copy_solution(cur, best)
            touched = _drop_shortest(cur, floor)
            if touched.shape[0] == 0:
                return False
            compact(cur, touched, inst)
        copy_solution(cur, work)
        touched = ruin(work, adj, n)
        compact(work, touched, inst)
        recreate(work, cur[4][0], inst)
        if work[4][1] < cur[4][1] or _absence(work, seen) < _absence(cur, seen):
            copy_solution(work, cur)
        for i in range(cur[4][1]):
            seen[cur[5][i]] += 1
    if cur[4][1] == 0 and (cur[4][0] < best[4][0] or best[4][1] > 0):
        copy_solution(cur, best)
    return True


@dataclass
class _Arrays:
    """The instance as numpy arrays for the compiled code."""

    inst: Instance
    adj: Ints
    n: int

    @classmethod
    def of(cls, p: Vrptw) -> _Arrays:
        n = p.customers
        dem = np.array(p.demand, np.int64).reshape(len(p.demand), -1)
        if p.fleet is None:
            T3 = np.array(p.time, np.int64)[None]
            D3 = np.array(p.dist, np.int64)[None]
            K3 = D3
            limit = NO_LIMIT if p.max_distance is None else p.max_distance
            # One identical vehicle per customer: the route count is bounded by the search.
            row = [0, 0, 0, p.ready[0], p.due[0], limit, 0, *p.capacity]
            table = np.array([row] * max(1, n), np.int64)
            eligible = np.ones((len(table), len(p.ready)), np.bool_)
            brk = np.zeros((len(table), 1, 3), np.int64)
            nbr = np.zeros(len(table), np.int64)
            svc = np.zeros(len(p.ready), np.int64)
            wins = np.array([p.ready, p.due], np.int64).T.reshape(-1, 1, 2).copy()
            nw = np.ones(len(p.ready), np.int64)
            late = np.zeros((2, len(p.ready)), np.int64)
        else:
            f = p.fleet
            T3, D3, K3, table, eligible = f.time, f.dist, f.cost, f.table, f.eligible
            brk, nbr, svc = f.breaks, f.break_count, f.service
            wins, nw, late = f.windows, f.window_count, np.stack([f.late_from, f.late_cost])
        # Per node, the customers (nodes 1..n) from nearest to farthest.
        adj = (np.argsort(D3[0][:, 1 : n + 1], axis=1, kind="stable") + 1).astype(np.int64)
        cap = table[:, table.shape[1] - dem.shape[1] :].max(axis=0)
        inst = (
            T3, D3, K3, np.array(p.ready, np.int64), np.array(p.due, np.int64), dem, table,
            eligible, cap, D3[0][0].copy(), brk, nbr, svc, wins, nw, *late,
        )  # fmt: skip
        return cls(inst, adj, n)

    def empty(self) -> Solution:
        n, vehicles = self.n, self.inst[6].shape[0]
        rows = n + 1
        return (
            np.zeros((rows, n + 2), np.int64),
            np.zeros((rows, n + 2), np.int64),
            np.zeros((rows, n + 2), np.int64),
            np.zeros((rows, 4 + self.inst[5].shape[1]), np.int64),
            np.zeros(2, np.int64),
            np.zeros(n, np.int64),
            np.full((n + 1, 2), -1, np.int64),
            np.zeros(vehicles, np.int64),
            self._labels(rows, n + 2),
        )

    def _labels(self, rows: int, positions: int) -> Ints:
        """Room for the break labels (`break_steps`) if some vehicle has breaks."""
        brk, nbr = self.inst[10], self.inst[11]
        if not nbr.any():
            return np.zeros((1, 1, 1), np.int64)
        return np.zeros((rows, positions, brk.shape[1] + 1), np.int64)

    def load(self, plan: Plan, missing: list[int]) -> Solution:
        sol = self.empty()
        P, R, H, U, F = sol[0], sol[3], sol[4], sol[5], sol[7]
        U[: len(missing)] = missing
        H[1] = len(missing)
        kept = [(r, v) for r, v in zip(*plan, strict=True) if r]
        for k, (r, v) in enumerate(kept):
            P[k, 1 : len(r) + 1] = r
            R[k, CUSTOMERS] = len(r)
            R[k, VEH] = v
            F[v] = 1
            refresh_in(k, sol, self.inst)
        H[0] = len(kept)
        return sol

    def plan(self, sol: Solution) -> Plan:
        P, R, H = sol[0], sol[3], sol[4]
        k_all = range(int(H[0]))
        return (
            [[int(c) for c in P[k, 1 : R[k, CUSTOMERS] + 1]] for k in k_all],
            [int(R[k, VEH]) for k in k_all],
        )


def _start(
    p: Vrptw, routes: Routes, vehicles: list[int] | None, seed: int
) -> tuple[_Arrays, Solution, Solution, Solution]:
    """The data, and the current, best and scratch solutions, all from `routes` (route k on
    `vehicles[k]`, or on vehicle k); customers not on them start unplaced (route removal places
    them first)."""
    arr = _Arrays.of(p)
    seed_random(seed)
    routed = {c for r in routes for c in r}
    missing = [c for c in range(1, arr.n + 1) if c not in routed]
    plan = (routes, list(range(len(routes))) if vehicles is None else vehicles)
    return arr, arr.load(plan, missing), arr.load(plan, missing), arr.empty()


def shorten(
    p: Vrptw,
    routes: Routes,
    deadline: float,
    seed: int = 0,
    steps: int | None = None,
    vehicles: list[int] | None = None,
) -> Plan:
    """The cheapest plan found before the deadline (or after `steps` steps), with at most as
    many routes as `routes`."""
    arr, cur, best, work = _start(p, routes, vehicles, seed)
    per_customer = max(1.0, float(total_cost(cur, arr.inst[6])) / max(1, arr.n))
    hot, cold = START_TEMPERATURE * per_customer, END_TEMPERATURE * per_customer
    start = time.monotonic()
    span = max(1e-3, deadline - start)
    done_steps = 0
    while (now := time.monotonic()) < deadline and (steps is None or done_steps < steps):
        # Cooling follows whichever budget is nearer its end, so a step budget that binds
        # first makes the whole run independent of the clock.
        chunk = CHUNK if steps is None else min(CHUNK, steps - done_steps)
        done = (now - start) / span if steps is None else done_steps / steps
        t_from = hot * (cold / hot) ** done
        share = 0.01 if steps is None else chunk / steps
        t_to = hot * (cold / hot) ** min(1.0, done + share)
        _anneal_chunk(cur, work, best, chunk, t_from, t_to, arr.inst, arr.adj, arr.n)
        done_steps += chunk
    return arr.plan(best)


def fewer_routes(
    p: Vrptw,
    routes: Routes,
    deadline: float,
    seed: int = 0,
    steps: int | None = None,
    vehicles: list[int] | None = None,
) -> Plan:
    """A plan with as few routes as found before the deadline (or after `steps` steps), never
    below the capacity bound; customers missing from `routes` are placed first, and stay
    missing from the answer if that fails."""
    arr, cur, best, work = _start(p, routes, vehicles, seed)
    seen = np.zeros(arr.n + 1, np.int64)
    floor = capacity_floor(p)
    done_steps = 0
    while time.monotonic() < deadline and (steps is None or done_steps < steps):
        chunk = FLEET_CHUNK if steps is None else min(FLEET_CHUNK, steps - done_steps)
        going = _fleet_chunk(cur, work, best, seen, chunk, floor, arr.inst, arr.adj, arr.n)
        done_steps += chunk
        if not going:
            break
    return arr.plan(best)


def warm_up() -> None:
    """Compile (or load from numba's cache) the search before a timed run."""
    tiny = Vrptw([[0, 1, 1], [1, 0, 1], [1, 1, 0]], [[0, 1, 1], [1, 0, 1], [1, 1, 0]],
                 [0, 0, 0], [100, 100, 100], [[0], [1], [1]], [2], 3)  # fmt: skip
    # A step budget, not a short deadline: loading the cache may outlast a deadline before the
    # first chunk, and the chunk would then compile during the first real solve.
    far = time.monotonic() + 3600.0
    shorten(tiny, [[1], [2]], far, steps=4)
    fewer_routes(tiny, [[1], [2]], far, steps=4)
