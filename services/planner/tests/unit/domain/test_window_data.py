"""Orders' windows as the compiled search's per-node arrays (`window_data`)."""

from __future__ import annotations

from typing import Any

from planner.domain.model import TimeWindow
from planner.domain.window_data import OPEN, merged, order_windows


def test_overlapping_windows_are_joined_so_the_latest_start_is_exact() -> None:
    # Unjoined, the latest start at or before 50 would read 20 (the second row) instead of 50.
    assert merged((TimeWindow(10, 20), TimeWindow(0, 100), TimeWindow(200, 300))) == [
        (0, 100),
        (200, 300),
    ]


def test_a_soft_orders_last_window_stays_open_and_lateness_is_priced(build: Any) -> None:
    two = (TimeWindow(900, 1_000), TimeWindow(100, 200))
    hard = build.order("h", 10, windows=two)
    soft = build.order("s", 20, windows=two, soft_windows=True, lateness_cost_per_s=0.02)
    wins, count, late_from, late_cost = order_windows([hard, soft], 4)
    assert wins[1].tolist() == [[100, 200], [900, 1_000]] and count[1] == 2
    assert wins[2].tolist() == [[100, 200], [900, OPEN]] and count[2] == 2
    assert (late_from[2], late_cost[2]) == (1_000, 20)
    assert (late_from[1], late_cost[1]) == (0, 0)
    assert wins[0].tolist()[0] == [0, OPEN] and wins[3].tolist()[0] == [0, OPEN]


def test_a_day_without_orders_has_room_for_one_window_per_node() -> None:
    wins, count, _, _ = order_windows([], 2)
    assert wins.shape == (2, 1, 2) and count.tolist() == [1, 1]
