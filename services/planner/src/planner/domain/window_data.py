"""Orders' windows as the compiled search's per-node arrays (`window_steps`), and the same rule
in plain Python for the checks made outside the compiled code."""

from __future__ import annotations

import numpy as np

from planner.domain.layout import scaled
from planner.domain.model import Order, TimeWindow
from planner.domain.vrptw_data import Ints, Vrptw

# Latest time at nodes without a window (start and end points), and the end of a soft window's
# last window: open to the end of any day.
OPEN = 1 << 40


def merged(windows: tuple[TimeWindow, ...]) -> list[tuple[int, int]]:
    """Windows sorted by start, overlapping or touching ones joined (as OR-Tools removes only
    the gaps between them)."""
    rows: list[tuple[int, int]] = []
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        if rows and w.start <= rows[-1][1] + 1:
            rows[-1] = (rows[-1][0], max(rows[-1][1], w.end))
        else:
            rows.append((w.start, w.end))
    return rows


def order_windows(orders: list[Order], nodes: int) -> tuple[Ints, Ints, Ints, Ints]:
    """Per node (order i is node i + 1; the rest are start and end points, open all day) its
    windows (start, end; padded), how many, when lateness starts and its cost per second: a
    soft-window order's last window stays open, each second past its end priced as OR-Tools
    prices it (`routing_model._add_windows`)."""
    rows = [merged(o.windows) for o in orders]
    wins = np.zeros((nodes, max([1, *map(len, rows)]), 2), np.int64)
    wins[:, 0] = (0, OPEN)
    count = np.ones(nodes, np.int64)
    late_from = np.zeros(nodes, np.int64)
    late_cost = np.zeros(nodes, np.int64)
    for i, (o, r) in enumerate(zip(orders, rows, strict=True)):
        wins[i + 1, : len(r)] = r
        count[i + 1] = len(r)
        if o.soft_windows:
            late_from[i + 1] = r[-1][1]
            late_cost[i + 1] = max(1, scaled(o.lateness_cost_per_s))
            wins[i + 1, len(r) - 1, 1] = OPEN
    return wins, count, late_from, late_cost


def begin(data: Vrptw, c: int, arrival: int) -> int:
    """The earliest service start at node c on arriving at `arrival` (`window_steps.earliest_in`);
    past the node's due time if every window has closed."""
    if data.fleet is None:
        return max(data.ready[c], arrival)
    f = data.fleet
    for start, end in f.windows[c, : f.window_count[c]]:
        if arrival <= end:
            return max(arrival, int(start))
    return arrival
