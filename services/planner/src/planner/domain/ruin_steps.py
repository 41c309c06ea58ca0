"""One ruin-and-recreate step, compiled with numba (after SISR): the solution and the ruin.

Ruin: from a random customer's nearest neighbours, cut strings of consecutive customers (some
with a kept run inside) out of nearby routes. Recreate (`recreate_step`): put every removed
customer back at its cheapest feasible place. Feasibility of a place is checked in O(1) from the
earliest and latest service start at each position.

Every route is driven by one vehicle of the instance's `veh` table (its matrix class, start and
end node, earliest departure, latest return, distance limit, fixed cost, capacities); a vehicle
drives at most one route. A solution is held in these arrays (k = route, i = position in the
path start..end): P[k, i] node, A[k, i] earliest and Z[k, i] latest service start, R[k] =
(customers, distance, cost (arcs and lateness, `window_steps`), vehicle, load in each capacity
dimension...), H = (routes, unplaced), U[:H[1]] unplaced customers, W[c] = (route, position)
with route -1 while c is unplaced, F[v] = 1 while vehicle v drives a route, L[k, i, b] the
earliest service start at position i with b breaks taken (`break_steps`; a 1x1x1 placeholder on
days without breaks).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.domain import compiled_cache
from planner.domain.break_steps import fill_labels
from planner.domain.window_steps import earliest_in, lateness, latest_in

# Before any @njit(cache=True) below: where the compiled code is kept (see compiled_cache).
compiled_cache.configure()

# Mean customers removed per step, longest string.
MEAN_REMOVED = 10
LONGEST_STRING = 10
# Columns of R (per route) and of the vehicle table.
CUSTOMERS, DIST, COST, VEH, LOAD = 0, 1, 2, 3, 4
CLS, START, END, EARLIEST, LATEST, LIMIT, FIXED, CAP = 0, 1, 2, 3, 4, 5, 6, 7


@njit(cache=True)
def seed_random(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True)
def refresh(k, sol, inst):  # type: ignore[no-untyped-def]
    """Times, distance, arc cost and loads of route k from its customers P[k, 1..n], without
    breaks (`refresh_in` adds them and the lateness)."""
    T3, D3, K3, dem, veh, wins, nw = inst[0], inst[1], inst[2], inst[5], inst[6], inst[13], inst[14]
    P, A, Z, R, W = sol[0], sol[1], sol[2], sol[3], sol[6]
    v = R[k, VEH]
    T, D, K = T3[veh[v, CLS]], D3[veh[v, CLS]], K3[veh[v, CLS]]
    n = R[k, CUSTOMERS]
    P[k, 0] = veh[v, START]
    P[k, n + 1] = veh[v, END]
    A[k, 0] = veh[v, EARLIEST]
    dist = 0
    cost = 0
    R[k, LOAD:] = 0
    for i in range(1, n + 2):
        p = P[k, i - 1]
        c = P[k, i]
        A[k, i] = earliest_in(wins[c], nw[c], A[k, i - 1] + T[p, c])
        dist += D[p, c]
        cost += K[p, c]
        if i <= n:
            for d in range(dem.shape[1]):
                R[k, LOAD + d] += dem[c, d]
            W[c, 0] = k
            W[c, 1] = i
    Z[k, n + 1] = veh[v, LATEST]
    for i in range(n, -1, -1):
        c = P[k, i]
        Z[k, i] = latest_in(wins[c], nw[c], Z[k, i + 1] - T[c, P[k, i + 1]])
    R[k, DIST] = dist
    R[k, COST] = cost


@njit(cache=True)
def copy_solution(src, dst):  # type: ignore[no-untyped-def]
    P, A, Z, R, H, U, W, F, L = src
    P2, A2, Z2, R2, H2, U2, W2, F2, L2 = dst
    labels = L.shape[0] > 1
    for k in range(H[0]):
        m = R[k, 0] + 2
        P2[k, :m] = P[k, :m]
        A2[k, :m] = A[k, :m]
        Z2[k, :m] = Z[k, :m]
        R2[k, :] = R[k, :]
        if labels:
            L2[k, :m] = L[k, :m]
    H2[:] = H[:]
    U2[: H[1]] = U[: H[1]]
    W2[:, :] = W[:, :]
    F2[:] = F[:]


@njit(cache=True)
def total_cost(sol, veh):  # type: ignore[no-untyped-def]
    """Arc costs plus the fixed cost of every vehicle used."""
    R, H = sol[3], sol[4]
    s = 0
    for k in range(H[0]):
        s += R[k, COST] + veh[R[k, VEH], FIXED]
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
def compact(sol, touched, inst):  # type: ignore[no-untyped-def]
    """Close the gaps left in touched routes; drop routes left empty (their vehicle is free)."""
    P, R, H, W, F = sol[0], sol[3], sol[4], sol[6], sol[7]
    for k in range(touched.shape[0]):
        if not touched[k]:
            continue
        m = 1
        for i in range(1, R[k, CUSTOMERS] + 1):
            c = P[k, i]
            if W[c, 0] == k:
                P[k, m] = c
                m += 1
        R[k, CUSTOMERS] = m - 1
    k = 0
    while k < H[0]:
        if R[k, CUSTOMERS] == 0:
            F[R[k, VEH]] = 0
            last = H[0] - 1
            if k != last:
                m = R[last, CUSTOMERS] + 1
                P[k, :m] = P[last, :m]
                R[k, :] = R[last, :]
                touched[k] = True
            H[0] -= 1
            continue
        k += 1
    for k in range(H[0]):
        if touched[k]:
            refresh_in(k, sol, inst)


@njit(cache=True)
def refresh_in(k, sol, inst):  # type: ignore[no-untyped-def]
    """`refresh` with the instance tuple (T3, D3, K3, ready, due, dem, veh, ..., brk, nbr, svc,
    wins, nw, late_from, late_cost); for a vehicle with breaks, the labels L[k] (`break_steps`)
    and, as A[k], the earliest of them (the latest starts Z[k], without breaks, stay a bound
    insertions check first); then the lateness of soft-window orders at A[k] into the route's
    cost (with breaks, a lower bound: each position's earliest start over breaks taken)."""
    refresh(k, sol, inst)
    veh, nb = inst[6], inst[11][sol[3][k, VEH]]
    P, A, R, L = sol[0], sol[1], sol[3], sol[8]
    v = R[k, VEH]
    n = R[k, CUSTOMERS]
    if nb > 0:
        T, svc, brk, wins, nw = inst[0][veh[v, CLS]], inst[12], inst[10][v], inst[13], inst[14]
        earliest, latest = veh[v, EARLIEST], veh[v, LATEST]
        fill_labels(L, P, k, n, T, svc, wins, nw, inst[4], earliest, latest, brk, nb)
        for i in range(n + 2):
            A[k, i] = L[k, i, 0]
            for b in range(1, nb + 1):
                A[k, i] = min(A[k, i], L[k, i, b])
    for i in range(1, n + 1):
        R[k, COST] += lateness(P[k, i], A[k, i], inst[15], inst[16])
