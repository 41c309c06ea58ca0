"""Ruin and recreate for plain VRPTW, compiled with numba (after SISR, Christiaens & Vanden Berghe).

Each step removes a few strings of neighbouring customers from a few routes near a random
customer, then puts every removed customer back at its cheapest feasible place, skipping each
place with a small probability ("blinks") so the search does not repeat itself. Two uses:

- `shorten`: simulated annealing on distance with at most as many routes as the start plan;
- `fewer_routes`: take customers of the shortest route out and keep the routes that leave
  fewer (or more rarely left out) customers unplaced, until every customer is placed with one
  route fewer; then the next route.

It works on the integer `Vrptw` data of `vrptw_data`, so every plan it returns is
feasible for the OR-Tools model as it is. The hot loop runs in compiled chunks of iterations;
Python checks the clock between chunks.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from planner.domain.vrptw_data import Routes, Vrptw, capacity_floor

Ints = npt.NDArray[np.int64]
Solution = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints]

# Mean customers removed per step, longest string, and the chance to skip an insertion place.
MEAN_REMOVED = 10
LONGEST_STRING = 10
BLINK = 0.01
# Annealing temperatures, in multiples of the start plan's mean distance per customer.
START_TEMPERATURE = 10.0
END_TEMPERATURE = 0.05
CHUNK = 2000

# A solution is held in these arrays (k = route, i = position in the path depot..depot):
# P[k, i] node, A[k, i] earliest and Z[k, i] latest service start, R[k] = (customers, load,
# distance), H = (routes, unplaced), U[:H[1]] unplaced customers, W[c] = (route, position)
# with route -1 while c is unplaced.


@njit(cache=True)
def _seed(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True)
def _refresh(k, P, A, Z, R, W, T, D, ready, due, dem):  # type: ignore[no-untyped-def]
    n = R[k, 0]
    A[k, 0] = ready[0]
    load = 0
    dist = 0
    for i in range(1, n + 2):
        p = P[k, i - 1]
        c = P[k, i]
        t = A[k, i - 1] + T[p, c]
        if t < ready[c]:
            t = ready[c]
        A[k, i] = t
        dist += D[p, c]
        load += dem[c]
        W[c, 0] = k
        W[c, 1] = i
    Z[k, n + 1] = due[0]
    for i in range(n, -1, -1):
        c = P[k, i]
        t = Z[k, i + 1] - T[c, P[k, i + 1]]
        if due[c] < t:
            t = due[c]
        Z[k, i] = t
    R[k, 1] = load
    R[k, 2] = dist


@njit(cache=True)
def _copy(src, dst):  # type: ignore[no-untyped-def]
    P, A, Z, R, H, U, W = src
    P2, A2, Z2, R2, H2, U2, W2 = dst
    for k in range(H[0]):
        m = R[k, 0] + 2
        P2[k, :m] = P[k, :m]
        A2[k, :m] = A[k, :m]
        Z2[k, :m] = Z[k, :m]
        R2[k, :] = R[k, :]
    H2[:] = H[:]
    U2[: H[1]] = U[: H[1]]
    W2[:, :] = W[:, :]


@njit(cache=True)
def _total(sol):  # type: ignore[no-untyped-def]
    R, H = sol[3], sol[4]
    s = 0
    for k in range(H[0]):
        s += R[k, 2]
    return s


@njit(cache=True)
def _take_out(sol, k, first, count, keep_from, keep_count):  # type: ignore[no-untyped-def]
    """Mark `count` customers of route k from path position `first` unplaced, minus a kept run."""
    P, U, W, H = sol[0], sol[5], sol[6], sol[4]
    for i in range(first, first + count):
        if keep_from <= i < keep_from + keep_count:
            continue
        c = P[k, i]
        W[c, 0] = -1
        U[H[1]] = c
        H[1] += 1


@njit(cache=True)
def _ruin(sol, adj, n_customers):  # type: ignore[no-untyped-def]
    R, H, W = sol[3], sol[4], sol[6]
    routes = H[0]
    placed = n_customers - H[1]
    mean_len = placed / max(1, routes)
    max_len = min(float(LONGEST_STRING), mean_len)
    max_strings = 4.0 * MEAN_REMOVED / (1.0 + max_len) - 1.0
    strings = int(np.random.random() * max_strings) + 1
    seed = np.random.randint(1, n_customers + 1)
    touched = np.zeros(routes, np.bool_)
    done = 0
    for j in range(adj.shape[1]):
        c = adj[seed, j]
        k = W[c, 0]
        if k < 0 or touched[k]:
            continue
        size = R[k, 0]
        length = int(np.random.random() * min(float(size), max_len)) + 1
        pos = W[c, 1]
        kept = 0
        if length < size and np.random.random() < 0.5:
            kept = 1
            while length + kept < size and np.random.random() < 0.5:
                kept += 1
        span = length + kept
        lo = max(1, pos - span + 1)
        hi = min(pos, size - span + 1)
        first = lo + int(np.random.random() * (hi - lo + 1))
        keep_from = first + int(np.random.random() * (length + 1)) if kept else 0
        _take_out(sol, k, first, span, keep_from, kept)
        touched[k] = True
        done += 1
        if done >= strings:
            break
    return touched


@njit(cache=True)
def _compact(sol, touched, T, D, ready, due, dem):  # type: ignore[no-untyped-def]
    """Close the gaps left in touched routes; drop routes left empty."""
    P, A, Z, R, H, W = sol[0], sol[1], sol[2], sol[3], sol[4], sol[6]
    for k in range(touched.shape[0]):
        if not touched[k]:
            continue
        m = 1
        for i in range(1, R[k, 0] + 1):
            c = P[k, i]
            if W[c, 0] == k:
                P[k, m] = c
                m += 1
        P[k, m] = 0
        R[k, 0] = m - 1
    k = 0
    while k < H[0]:
        if R[k, 0] == 0:
            last = H[0] - 1
            if k != last:
                m = R[last, 0] + 2
                P[k, :m] = P[last, :m]
                R[k, 0] = R[last, 0]
                touched[k] = True
            H[0] -= 1
            continue
        k += 1
    for k in range(H[0]):
        if touched[k]:
            _refresh(k, P, A, Z, R, W, T, D, ready, due, dem)


@njit(cache=True)
def _insertion_order(sol, ready, due, dem, depot_dist):  # type: ignore[no-untyped-def]
    U, H = sol[5], sol[4]
    m = H[1]
    todo = U[:m].copy()
    pick = np.random.random() * 11.0
    if pick < 4.0:
        np.random.shuffle(todo)
        return todo
    key = np.empty(m, np.float64)
    for i in range(m):
        c = todo[i]
        if pick < 8.0:
            key[i] = -dem[c] - np.random.random() * 1e-3
        elif pick < 10.0:
            key[i] = -depot_dist[c] - np.random.random() * 1e-3
        else:
            key[i] = depot_dist[c] + np.random.random() * 1e-3
    return todo[np.argsort(key)]


@njit(cache=True)
def _recreate(sol, max_routes, T, D, ready, due, dem, cap, depot_dist):  # type: ignore[no-untyped-def]
    P, A, Z, R, H, U, W = sol
    todo = _insertion_order(sol, ready, due, dem, depot_dist)
    H[1] = 0
    for c in todo:
        best = np.int64(1) << 60
        bk = -1
        bi = -1
        for k in range(H[0]):
            if R[k, 1] + dem[c] > cap:
                continue
            for i in range(R[k, 0] + 1):
                if A[k, i] > due[c]:
                    break
                p = P[k, i]
                q = P[k, i + 1]
                t = A[k, i] + T[p, c]
                if t < ready[c]:
                    t = ready[c]
                if t > due[c] or t + T[c, q] > Z[k, i + 1]:
                    continue
                cost = D[p, c] + D[c, q] - D[p, q]
                if cost < best and np.random.random() >= BLINK:
                    best = cost
                    bk = k
                    bi = i
        if bk < 0:
            if H[0] < max_routes:
                k = H[0]
                H[0] += 1
                P[k, 0] = 0
                P[k, 1] = c
                P[k, 2] = 0
                R[k, 0] = 1
                _refresh(k, P, A, Z, R, W, T, D, ready, due, dem)
            else:
                W[c, 0] = -1
                U[H[1]] = c
                H[1] += 1
            continue
        n = R[bk, 0]
        for i in range(n + 1, bi, -1):
            P[bk, i + 1] = P[bk, i]
        P[bk, bi + 1] = c
        R[bk, 0] = n + 1
        _refresh(bk, P, A, Z, R, W, T, D, ready, due, dem)


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
        if R[k, 0] < R[k_best, 0]:
            k_best = k
            ties = 1
        elif R[k, 0] == R[k_best, 0]:
            ties += 1
            if np.random.random() * ties < 1.0:
                k_best = k
    touched = np.zeros(H[0], np.bool_)
    _take_out(sol, k_best, 1, R[k_best, 0], 0, 0)
    touched[k_best] = True
    return touched


@njit(cache=True)
def _anneal_chunk(  # type: ignore[no-untyped-def]
    cur, work, best, steps, t_from, t_to, adj, T, D, ready, due, dem, cap, depot_dist, n
):
    ratio = (t_to / t_from) ** (1.0 / steps)
    temp = t_from
    cur_cost = _total(cur)
    best_cost = _total(best)
    max_routes = cur[4][0]
    for _ in range(steps):
        _copy(cur, work)
        touched = _ruin(work, adj, n)
        _compact(work, touched, T, D, ready, due, dem)
        _recreate(work, max_routes, T, D, ready, due, dem, cap, depot_dist)
        temp *= ratio
        if work[4][1] > 0:
            continue
        cost = _total(work)
        if cost < cur_cost - temp * math.log(1.0 - np.random.random()):
            _copy(work, cur)
            cur_cost = cost
            fewer = cur[4][0] < best[4][0]
            if fewer or (cur[4][0] == best[4][0] and cost < best_cost):
                _copy(cur, best)
                best_cost = cost


@njit(cache=True)
def _fleet_chunk(  # type: ignore[no-untyped-def]
    cur, work, best, seen, steps, floor, adj, T, D, ready, due, dem, cap, depot_dist, n
):
    """Steps of route removal; returns False once no route can go (the floor is reached)."""
    for _ in range(steps):
        if cur[4][1] == 0:
            if cur[4][0] < best[4][0]:
                _copy(cur, best)
            touched = _drop_shortest(cur, floor)
            if touched.shape[0] == 0:
                return False
            _compact(cur, touched, T, D, ready, due, dem)
        _copy(cur, work)
        touched = _ruin(work, adj, n)
        _compact(work, touched, T, D, ready, due, dem)
        _recreate(work, cur[4][0], T, D, ready, due, dem, cap, depot_dist)
        if work[4][1] < cur[4][1] or _absence(work, seen) < _absence(cur, seen):
            _copy(work, cur)
        for i in range(cur[4][1]):
            seen[cur[5][i]] += 1
    if cur[4][1] == 0 and cur[4][0] < best[4][0]:
        _copy(cur, best)
    return True


@dataclass
class _Arrays:
    """The instance as numpy arrays for the compiled code."""

    T: Ints
    D: Ints
    ready: Ints
    due: Ints
    dem: Ints
    cap: int
    adj: Ints
    depot_dist: Ints
    n: int

    @classmethod
    def of(cls, p: Vrptw) -> _Arrays:
        D = np.array(p.dist, np.int64)
        adj = np.argsort(D, axis=1, kind="stable").astype(np.int64)
        adj = np.array([[c for c in row if c != 0] for row in adj], np.int64)
        return cls(
            np.array(p.time, np.int64),
            D,
            np.array(p.ready, np.int64),
            np.array(p.due, np.int64),
            np.array(p.demand, np.int64),
            p.capacity,
            adj,
            D[0].copy(),
            len(p.ready) - 1,
        )

    def empty(self) -> Solution:
        n = self.n
        rows = n + 1
        return (
            np.zeros((rows, n + 2), np.int64),
            np.zeros((rows, n + 2), np.int64),
            np.zeros((rows, n + 2), np.int64),
            np.zeros((rows, 3), np.int64),
            np.zeros(2, np.int64),
            np.zeros(n, np.int64),
            np.full((n + 1, 2), -1, np.int64),
        )

    def load(self, routes: Routes) -> Solution:
        sol = self.empty()
        P, A, Z, R, H, _, W = sol
        kept = [r for r in routes if r]
        for k, r in enumerate(kept):
            P[k, 1 : len(r) + 1] = r
            R[k, 0] = len(r)
            _refresh(k, P, A, Z, R, W, self.T, self.D, self.ready, self.due, self.dem)
        H[0] = len(kept)
        return sol

    def routes(self, sol: Solution) -> Routes:
        P, R, H = sol[0], sol[3], sol[4]
        return [[int(c) for c in P[k, 1 : R[k, 0] + 1]] for k in range(int(H[0]))]


def _start(p: Vrptw, routes: Routes, seed: int) -> tuple[_Arrays, Solution, Solution, Solution]:
    """The data, and the current, best and scratch solutions, all from `routes`."""
    arr = _Arrays.of(p)
    _seed(seed)
    return arr, arr.load(routes), arr.load(routes), arr.empty()


def shorten(p: Vrptw, routes: Routes, deadline: float, seed: int = 0) -> Routes:
    """The shortest plan found before the deadline, with at most as many routes as `routes`."""
    arr, cur, best, work = _start(p, routes, seed)
    per_customer = max(1.0, float(_total(cur)) / max(1, arr.n))
    hot, cold = START_TEMPERATURE * per_customer, END_TEMPERATURE * per_customer
    start = time.monotonic()
    span = max(1e-3, deadline - start)
    while (now := time.monotonic()) < deadline:
        done = (now - start) / span
        t_from = hot * (cold / hot) ** done
        t_to = hot * (cold / hot) ** min(1.0, done + 0.01)
        _anneal_chunk(
            cur, work, best, CHUNK, t_from, t_to, arr.adj, arr.T, arr.D, arr.ready, arr.due,
            arr.dem, arr.cap, arr.depot_dist, arr.n,
        )  # fmt: skip
    return arr.routes(best)


def fewer_routes(p: Vrptw, routes: Routes, deadline: float, seed: int = 0) -> Routes:
    """A plan with as few routes as found before the deadline (never below the capacity bound)."""
    arr, cur, best, work = _start(p, routes, seed)
    seen = np.zeros(arr.n + 1, np.int64)
    floor = capacity_floor(p)
    while time.monotonic() < deadline:
        going = _fleet_chunk(
            cur, work, best, seen, CHUNK // 4, floor, arr.adj, arr.T, arr.D, arr.ready, arr.due,
            arr.dem, arr.cap, arr.depot_dist, arr.n,
        )  # fmt: skip
        if not going:
            break
    return arr.routes(best)


def warm_up() -> None:
    """Compile (or load from numba's cache) the search before a timed run."""
    tiny = Vrptw([[0, 1, 1], [1, 0, 1], [1, 1, 0]], [[0, 1, 1], [1, 0, 1], [1, 1, 0]],
                 [0, 0, 0], [100, 100, 100], [0, 1, 1], 2)  # fmt: skip
    shorten(tiny, [[1], [2]], time.monotonic() + 0.01)
    fewer_routes(tiny, [[1], [2]], time.monotonic() + 0.01)
