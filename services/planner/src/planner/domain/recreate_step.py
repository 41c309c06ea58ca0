"""The recreate half of a ruin-and-recreate step, compiled with numba (see `ruin_steps`).

Every unplaced customer goes back at its cheapest feasible place (arc cost of the route's
vehicle), skipping each place with a small probability ("blinks"); where none fits, a free
vehicle that can serve it alone opens a route (the cheapest: fixed cost plus arcs) while the
route count allows.

The instance tuple `inst` is (T3, D3, K3, ready, due, dem, veh, elig, cap, depot_dist, brk,
nbr, svc, wins, nw, late_from, late_cost): per matrix class the time (travel plus service at the origin), distance and cost
matrices; per node the first window start, last window end and demand; the vehicle table (columns in `ruin_steps`); per
vehicle and node whether the vehicle may serve it; the largest capacity per dimension;
distance from node 0; per vehicle its breaks and how many (`break_steps`); per node its
service time; per node its windows, how many, and when lateness starts and its cost per second
(`window_steps`).

A place is checked in O(1) against the earliest and latest service starts of its neighbours;
on a vehicle with breaks, the cheapest place so far that passes is then replayed with its
breaks (`break_steps.insert_ok`, exact), so the replays are few. A place's cost is its arcs
plus, on days with soft windows, the lateness it adds: the customer's own, then that of the
customers after it whose start it pushes (replayed only for places that are the cheapest so
far on their arcs and own lateness, as the pushed lateness is never negative).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.domain.break_steps import insert_ok, path_ok
from planner.domain.ruin_steps import (
    CAP,
    CLS,
    CUSTOMERS,
    DIST,
    EARLIEST,
    END,
    FIXED,
    LATEST,
    LIMIT,
    LOAD,
    START,
    VEH,
    refresh_in,
)
from planner.domain.window_steps import earliest_in, lateness, pushed_lateness

# The chance to skip an insertion place.
BLINK = 0.01
NONE = np.int64(1) << 60


@njit(cache=True)
def _size(dem, cap, c):  # type: ignore[no-untyped-def]
    """The largest share of a vehicle's capacity customer c takes in any dimension."""
    s = 0.0
    for d in range(dem.shape[1]):
        s = max(s, dem[c, d] / max(1, cap[d]))
    return s


@njit(cache=True)
def _fits(R, k, dem, veh, c):  # type: ignore[no-untyped-def]
    # A loop, not all(...): numba compiles generator expressions poorly.
    v = R[k, VEH]
    for d in range(dem.shape[1]):  # noqa: SIM110
        if R[k, LOAD + d] + dem[c, d] > veh[v, CAP + d]:
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
def free_vehicle(sol, c, inst):  # type: ignore[no-untyped-def]
    """The cheapest free vehicle that can serve customer c alone, or -1."""
    T3, D3, K3, _, due, dem, veh, elig = inst[:8]
    F = sol[7]
    best = NONE
    pick = -1
    for v in range(veh.shape[0]):
        if F[v] or not elig[v, c]:
            continue
        cl, s, e = veh[v, CLS], veh[v, START], veh[v, END]
        fits = True
        for d in range(dem.shape[1]):
            if dem[c, d] > veh[v, CAP + d]:
                fits = False
        t = earliest_in(inst[13][c], inst[14][c], veh[v, EARLIEST] + T3[cl][s, c])
        if not fits or t > due[c] or t + T3[cl][c, e] > veh[v, LATEST]:
            continue
        if D3[cl][s, c] + D3[cl][c, e] > veh[v, LIMIT]:
            continue
        cost = veh[v, FIXED] + K3[cl][s, c] + K3[cl][c, e] + lateness(c, t, inst[15], inst[16])
        if cost < best and (inst[11][v] == 0 or _alone_with_breaks(v, c, inst)):
            best = cost
            pick = v
    return pick


@njit(cache=True)
def _alone_with_breaks(v, c, inst):  # type: ignore[no-untyped-def]
    """Can vehicle v serve customer c alone with its breaks?"""
    veh = inst[6]
    path = np.array([veh[v, START], c, veh[v, END]], np.int64)
    T = inst[0][veh[v, CLS]]
    brk, nb = inst[10][v], inst[11][v]
    wins, nw, due = inst[13], inst[14], inst[4]
    return path_ok(path, T, inst[12], wins, nw, due, veh[v, EARLIEST], veh[v, LATEST], brk, nb)


@njit(cache=True)
def _breaks_hold(sol, k, i, c, inst, a, z):  # type: ignore[no-untyped-def]
    """Does route k still hold with its vehicle's breaks if c goes after position i?"""
    P, R, L, veh = sol[0], sol[3], sol[8], inst[6]
    v = R[k, VEH]
    T, wins, nw, due = inst[0][veh[v, CLS]], inst[13], inst[14], inst[4]
    brk, nb, svc = inst[10][v], inst[11][v], inst[12]
    n, latest = R[k, CUSTOMERS], veh[v, LATEST]
    return insert_ok(L, P, k, i, n, c, T, svc, wins, nw, due, latest, brk, nb, a, z)


@njit(cache=True)
def _cheapest_place(sol, c, inst):  # type: ignore[no-untyped-def]
    """(route, position) of customer c's cheapest feasible place, (-1, -1) if none."""
    P, A, Z, R, H = sol[0], sol[1], sol[2], sol[3], sol[4]
    T3, D3, K3, _, due, dem, veh, elig = inst[:8]
    nbr, wins, nw, late_from, late_cost = inst[11], inst[13], inst[14], inst[15], inst[16]
    soft = late_cost.any()
    # Scratch labels for the replays of vehicles with breaks.
    a = np.empty(inst[10].shape[1] + 1, np.int64)
    z = np.empty(inst[10].shape[1] + 1, np.int64)
    best = NONE
    bk = -1
    bi = -1
    for k in range(H[0]):
        v = R[k, VEH]
        if not elig[v, c] or not _fits(R, k, dem, veh, c):
            continue
        T, D, K = T3[veh[v, CLS]], D3[veh[v, CLS]], K3[veh[v, CLS]]
        for i in range(R[k, CUSTOMERS] + 1):
            if A[k, i] > due[c]:
                break
            p = P[k, i]
            q = P[k, i + 1]
            t = earliest_in(wins[c], nw[c], A[k, i] + T[p, c])
            if t > due[c] or t + T[c, q] > Z[k, i + 1]:
                continue
            if R[k, DIST] + D[p, c] + D[c, q] - D[p, q] > veh[v, LIMIT]:
                continue
            cost = K[p, c] + K[c, q] - K[p, q] + lateness(c, t, late_from, late_cost)
            if cost < best and np.random.random() >= BLINK:
                if soft:
                    n = R[k, CUSTOMERS]
                    cost += pushed_lateness(P, A, k, i, n, c, t, T, wins, nw, late_from, late_cost)
                    if cost >= best:
                        continue
                if nbr[v] and not _breaks_hold(sol, k, i, c, inst, a, z):
                    continue
                best = cost
                bk = k
                bi = i
    return bk, bi


@njit(cache=True)
def recreate(sol, max_routes, inst):  # type: ignore[no-untyped-def]
    """Put the unplaced customers back, with at most `max_routes` routes."""
    P, R, H, U, W, F = sol[0], sol[3], sol[4], sol[5], sol[6], sol[7]
    todo = insertion_order(sol, inst[5], inst[8], inst[9])
    H[1] = 0
    for c in todo:
        bk, bi = _cheapest_place(sol, c, inst)
        if bk < 0:
            v = free_vehicle(sol, c, inst) if H[0] < max_routes else -1
            if v >= 0:
                k = H[0]
                H[0] += 1
                F[v] = 1
                R[k, VEH] = v
                P[k, 1] = c
                R[k, CUSTOMERS] = 1
                refresh_in(k, sol, inst)
            else:
                W[c, 0] = -1
                U[H[1]] = c
                H[1] += 1
            continue
        n = R[bk, CUSTOMERS]
        for i in range(n + 1, bi, -1):
            P[bk, i + 1] = P[bk, i]
        P[bk, bi + 1] = c
        R[bk, CUSTOMERS] = n + 1
        refresh_in(bk, sol, inst)
