"""Several and soft delivery windows in the compiled search, compiled with numba.

Each node has its windows as rows (start, end), sorted and merged, and how many (`wq`, `nq`
below: one node's rows). A service starts in the earliest window it can reach, waiting for the
next window's opening when it arrives between two (`earliest_in`). A soft-window order's last
window is open to the end of the day, and every second past its original end costs
`late_cost` (the OR-Tools model's soft upper bound, `routing_model._add_windows`, at the same
price in the same units); it is never served before its first window opens, nor, as in
OR-Tools, between two of its windows.

Why one latest start per position stays exact with gaps: the earliest start at a node never
falls as the arrival grows, so if a start s at a position lets the rest of the route hold, so
does every earlier start in a window. The latest start that lets the rest hold is then the
latest window point at or before (latest start of the next position - travel) (`latest_in`),
and a place before that next position holds if and only if the arrival there is no later than
its latest start: O(1) per place, as with one window.
"""

from __future__ import annotations

from numba import njit

from planner.domain import compiled_cache

# Before any @njit(cache=True) below: where the compiled code is kept (see compiled_cache).
compiled_cache.configure()


@njit(cache=True)
def earliest_in(wq, nq, t):  # type: ignore[no-untyped-def]
    """The earliest service start at or after arrival t; t itself if every window has closed
    (later than the node's last window end, which callers check)."""
    for w in range(nq):
        if t <= wq[w, 1]:
            return max(t, wq[w, 0])
    return t


@njit(cache=True)
def latest_in(wq, nq, t):  # type: ignore[no-untyped-def]
    """The latest service start at or before t; t itself if no window has opened by t (earlier
    than the node's first window start: no start is possible)."""
    for w in range(nq - 1, -1, -1):
        if t >= wq[w, 0]:
            return min(t, wq[w, 1])
    return t


@njit(cache=True)
def lateness(c, t, late_from, late_cost):  # type: ignore[no-untyped-def]
    """The cost of starting service at node c at t (zero for a hard window)."""
    return late_cost[c] * max(0, t - late_from[c])


@njit(cache=True)
def pushed_lateness(P, A, k, i, n, c, t, T, wins, nw, late_from, late_cost):  # type: ignore[no-untyped-def]
    """Extra lateness cost of route k (n customers, earliest starts A[k]) when c, served at t,
    goes after position i: replays the route from i + 1 until a start no longer moves."""
    extra = 0
    prev = c
    for j in range(i + 1, n + 1):
        q = P[k, j]
        t = earliest_in(wins[q], nw[q], t + T[prev, q])
        if t <= A[k, j]:
            break
        extra += lateness(q, t, late_from, late_cost) - lateness(q, A[k, j], late_from, late_cost)
        prev = q
    return extra
