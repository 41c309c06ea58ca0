"""Drivers' breaks in the compiled search: per route position, the earliest service start for
each number of breaks taken so far ("labels"), compiled with numba.

The rule is the checker's (`checker._check_times`): a vehicle's breaks, sorted by earliest
start, are taken in that order, each starting inside its window and lasting its full duration;
a break is taken on a leg, after the service at the leg's origin ends and before the service at
its destination begins, and counts there like travel, so a wait before a window absorbs it;
several may fall on one leg, one after the other; a break the route's end comes before is
taken after the end. Waiting is allowed anywhere, so of two schedules that reach a position
with the same breaks taken, the earlier can do all the later can: keeping the earliest start
per (position, breaks taken) is exact, and a route is feasible if and only if some label
reaches its end with the breaks left fitting after it. The one cut against OR-Tools' model: a
break is never taken before the route's departure (OR-Tools may take one there when its window
opens before the shift) nor during the depot's loading time; a break whose window closes before
the vehicle can leave sends the day to OR-Tools (`fleet_data`), and a start route that needs a
break before its departure is cut to what this rule can time (`plain_search._held`).

Several windows and soft ones (`window_steps`) compose: a label's service starts in the
earliest window its arrival reaches, and the dominance above still holds (a later arrival never
starts earlier). `brk` holds one vehicle's breaks as rows (earliest start, latest start, duration), sorted by
earliest start; `nb` how many there are; `svc` the service time per node (the time matrix holds
service at the origin plus travel, so a leg's departure is the service start plus `svc`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.domain import compiled_cache
from planner.domain.window_steps import earliest_in

# Before any @njit(cache=True) below: where the compiled code is kept (see compiled_cache).
compiled_cache.configure()

# No schedule: larger than any time, far from overflow when a duration is added.
NONE = np.int64(1) << 60


@njit(cache=True)
def leg(src, dst, p, q, T, svc, wq, nq, due_q, end, brk, nb):  # type: ignore[no-untyped-def]
    """Labels at q from the labels `src` at p over the leg p -> q (q the route's end if
    `end`; `wq`, `nq` its windows, `window_steps`): without a break, or with the next breaks on
    this leg, the service starting in the earliest window reached. A label past q's due time,
    or that leaves q after the next break's window closed, is dropped. True if any is left."""
    for b in range(nb + 1):
        dst[b] = NONE
    for b in range(nb + 1):
        t = src[b]
        if t >= NONE:
            continue
        base = t + T[p, q]
        s = earliest_in(wq, nq, base)
        if s < dst[b]:
            dst[b] = s
        cur = t + svc[p]
        extra = 0
        for b2 in range(b, nb):
            bs = max(cur, brk[b2, 0])
            if bs > brk[b2, 1]:
                break
            extra += brk[b2, 2]
            cur = bs + brk[b2, 2]
            s = earliest_in(wq, nq, max(base + extra, cur))
            if s < dst[b2 + 1]:
                dst[b2 + 1] = s
    alive = False
    for b in range(nb + 1):
        # Past q's window, or q ends after the next break must have begun.
        late = dst[b] > due_q or (not end and b < nb and dst[b] + svc[q] > brk[b, 1])
        if late:
            dst[b] = NONE
        if dst[b] < NONE:
            alive = True
    return alive


@njit(cache=True)
def end_ok(labels, brk, nb):  # type: ignore[no-untyped-def]
    """Can some label at the route's end take the breaks it has left after the end?"""
    for b in range(nb + 1):
        cur = labels[b]
        if cur >= NONE:
            continue
        ok = True
        for b2 in range(b, nb):
            bs = max(cur, brk[b2, 0])
            if bs > brk[b2, 1]:
                ok = False
                break
            cur = bs + brk[b2, 2]
        if ok:
            return True
    return False


@njit(cache=True)
def start_labels(dst, earliest, nb):  # type: ignore[no-untyped-def]
    """Labels at the route's start: departing at `earliest`, no break taken."""
    for b in range(nb + 1):
        dst[b] = NONE
    dst[0] = earliest


@njit(cache=True)
def path_ok(path, T, svc, wins, nw, due, earliest, latest, brk, nb):  # type: ignore[no-untyped-def]
    """Is the path (start node, customers..., end node) feasible with the vehicle's breaks?"""
    a = np.empty(nb + 1, np.int64)
    z = np.empty(nb + 1, np.int64)
    start_labels(a, earliest, nb)
    last = path.shape[0] - 1
    for i in range(1, last + 1):
        end = i == last
        due_q = latest if end else due[path[i]]
        q = path[i]
        if not leg(a, z, path[i - 1], q, T, svc, wins[q], nw[q], due_q, end, brk, nb):
            return False
        a, z = z, a
    return end_ok(a, brk, nb)


@njit(cache=True)
def fill_labels(L, P, k, n, T, svc, wins, nw, due, earliest, latest, brk, nb):  # type: ignore[no-untyped-def]
    """Labels of route k (customers P[k, 1..n]) into L[k, 0..n + 1]."""
    start_labels(L[k, 0], earliest, nb)
    for i in range(1, n + 2):
        end = i == n + 1
        due_q = latest if end else due[P[k, i]]
        q = P[k, i]
        leg(L[k, i - 1], L[k, i], P[k, i - 1], q, T, svc, wins[q], nw[q], due_q, end, brk, nb)


@njit(cache=True)
def insert_ok(L, P, k, i, n, c, T, svc, wins, nw, due, latest, brk, nb, a, z):  # type: ignore[no-untyped-def]
    """Can customer c go between positions i and i + 1 of route k (n customers, labels L),
    breaks included? Replays the route from i; stops as soon as every label is no later than
    the route's own there (the rest of the route then holds as it did). `a`, `z`: scratch."""
    if not leg(L[k, i], a, P[k, i], c, T, svc, wins[c], nw[c], due[c], False, brk, nb):
        return False
    prev = c
    for j in range(i + 1, n + 2):
        end = j == n + 1
        q = P[k, j]
        due_q = latest if end else due[q]
        if not leg(a, z, prev, q, T, svc, wins[q], nw[q], due_q, end, brk, nb):
            return False
        earlier = True
        for b in range(nb + 1):
            if z[b] > L[k, j, b]:
                earlier = False
        if earlier:
            return True
        a, z = z, a
        prev = q
    return end_ok(a, brk, nb)
