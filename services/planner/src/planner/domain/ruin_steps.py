"""One ruin-and-recreate step for plain VRPTW, compiled with numba (after SISR).

Ruin: from a random customer's nearest neighbours, cut strings of consecutive customers (some
with a kept run inside) out of nearby routes. Recreate: put every removed customer back at its
cheapest feasible place, skipping each place with a small probability ("blinks"). Feasibility
of a place is checked in O(1) from the earliest and latest service start at each position.

A solution is held in these arrays (k = route, i = position in the path depot..depot):
P[k, i] node, A[k, i] earliest and Z[k, i] latest service start, R[k] = (customers, distance,
load in each capacity dimension...), H = (routes, unplaced), U[:H[1]] unplaced customers, W[c] = (route, position)
with route -1 while c is unplaced.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.domain import compiled_cache

# Before any @njit(cache=True) below: where the compiled code is kept (see compiled_cache).
compiled_cache.configure()

# Mean customers removed per step, longest string, and the chance to skip an insertion place.
MEAN_REMOVED = 10
LONGEST_STRING = 10
BLINK = 0.01


@njit(cache=True)
def seed_random(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True)
def refresh(k, P, A, Z, R, W, T, D, ready, due, dem):  # type: ignore[no-untyped-def]
    n = R[k, 0]
    A[k, 0] = ready[0]
    dist = 0
    R[k, 2:] = 0
    for i in range(1, n + 2):
        p = P[k, i - 1]
        c = P[k, i]
        t = A[k, i - 1] + T[p, c]
        if t < ready[c]:
            t = ready[c]
        A[k, i] = t
        dist += D[p, c]
        for d in range(dem.shape[1]):
            R[k, 2 + d] += dem[c, d]
        W[c, 0] = k
        W[c, 1] = i
    Z[k, n + 1] = due[0]
    for i in range(n, -1, -1):
        c = P[k, i]
        t = Z[k, i + 1] - T[c, P[k, i + 1]]
        if due[c] < t:
            t = due[c]
        Z[k, i] = t
    R[k, 1] = dist


@njit(cache=True)
def copy_solution(src, dst):  # type: ignore[no-untyped-def]
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
def total_distance(sol):  # type: ignore[no-untyped-def]
    R, H = sol[3], sol[4]
    s = 0
    for k in range(H[0]):
        s += R[k, 1]
    return s


@njit(cache=True)
def take_out(sol, k, first, count, keep_from, keep_count):  # type: ignore[no-untyped-def]
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
def ruin(sol, adj, n_customers):  # type: ignore[no-untyped-def]
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
        take_out(sol, k, first, span, keep_from, kept)
        touched[k] = True
        done += 1
        if done >= strings:
            break
    return touched


@njit(cache=True)
def compact(sol, touched, T, D, ready, due, dem):  # type: ignore[no-untyped-def]
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
            refresh(k, P, A, Z, R, W, T, D, ready, due, dem)


@njit(cache=True)
def _size(dem, cap, c):  # type: ignore[no-untyped-def]
    """The largest share of a vehicle's capacity customer c takes in any dimension."""
    s = 0.0
    for d in range(dem.shape[1]):
        s = max(s, dem[c, d] / max(1, cap[d]))
    return s


@njit(cache=True)
def _fits(R, k, dem, cap, c):  # type: ignore[no-untyped-def]
    # A loop, not all(...): numba compiles generator expressions poorly.
    for d in range(dem.shape[1]):  # noqa: SIM110
        if R[k, 2 + d] + dem[c, d] > cap[d]:
            return False
    return True


@njit(cache=True)
def insertion_order(sol, dem, cap, depot_dist):  # type: ignore[no-untyped-def]
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
            key[i] = -_size(dem, cap, c) - np.random.random() * 1e-3
        elif pick < 10.0:
            key[i] = -depot_dist[c] - np.random.random() * 1e-3
        else:
            key[i] = depot_dist[c] + np.random.random() * 1e-3
    return todo[np.argsort(key)]


@njit(cache=True)
def recreate(sol, max_routes, T, D, ready, due, dem, cap, limit, depot_dist):  # type: ignore[no-untyped-def]
    """Put the unplaced customers back; `limit` is the longest distance a route may drive."""
    P, A, Z, R, H, U, W = sol
    todo = insertion_order(sol, dem, cap, depot_dist)
    H[1] = 0
    for c in todo:
        best = np.int64(1) << 60
        bk = -1
        bi = -1
        for k in range(H[0]):
            if not _fits(R, k, dem, cap, c):
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
                if R[k, 1] + cost > limit:
                    continue
                if cost < best and np.random.random() >= BLINK:
                    best = cost
                    bk = k
                    bi = i
        if bk < 0:
            if H[0] < max_routes and D[0, c] + D[c, 0] <= limit:
                k = H[0]
                H[0] += 1
                P[k, 0] = 0
                P[k, 1] = c
                P[k, 2] = 0
                R[k, 0] = 1
                refresh(k, P, A, Z, R, W, T, D, ready, due, dem)
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
        refresh(bk, P, A, Z, R, W, T, D, ready, due, dem)
