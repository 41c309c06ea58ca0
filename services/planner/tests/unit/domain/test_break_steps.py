"""The break rule of the compiled search (`break_steps`) on single routes, against hand-timed
schedules (1 unit = 1 m = 1 s of travel; service 10 s)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from planner.domain.break_steps import path_ok
from planner.domain.fleet_data import compiled_data
from planner.domain.model import Break, Capacity, TimeWindow

PARCEL = Capacity(0.0, 0.0, 1)


def _out_and_back(
    build: Any, x: int, breaks: tuple[Break, ...], latest: int = 10_000
) -> Callable[[int, int], bool]:
    """Depot -> c (at x, 10 s of service) -> depot on one van with `breaks`: is it feasible
    (`break_steps.path_ok`) for c's window (ready, due)?"""
    c = build.order("c", x, demand=PARCEL, windows=(TimeWindow(0, 1_000),))
    van = build.vehicle("v", capacity=Capacity(0.0, 0.0, 12), breaks=breaks)
    data = compiled_data(build.problem([van], [c]))
    assert data is not None and data.fleet is not None
    f = data.fleet

    def ok(ready: int, due: int) -> bool:
        w = f.windows.copy()
        d = np.array(data.due, np.int64)
        w[1, 0], d[1] = (ready, due), due
        path = np.array([0, 1, 0], np.int64)
        args = (f.time[0], f.service, w, f.window_count, d, 0, latest, f.breaks[0], len(breaks))
        return bool(path_ok(path, *args))

    return ok


def test_two_breaks_can_share_one_leg(build: Any) -> None:
    """c's window makes both breaks fall on the way out."""
    ok = _out_and_back(build, 50, (Break(100, 0, 200), Break(100, 250, 300)))

    # Out at 0, both breaks on the way (0-100, 250-350): c from 350.
    assert ok(350, 350)
    assert not ok(340, 345)
    # c early, both breaks after it (on the way back or after the end).
    assert ok(0, 60)
    # c served at 300: the second break can begin neither before (both breaks on the way out
    # end at 350) nor after it (its window closes at 300).
    assert not ok(300, 300)
    # A first break of 400 s ends at 400 at the earliest, after the second's window closed.
    assert not _out_and_back(build, 50, (Break(400, 0, 200), Break(100, 250, 300)))(0, 1_000)


def test_a_break_left_for_after_the_end_must_still_begin_in_its_window(build: Any) -> None:
    """c at x=60 (back at 130 without the break), lunch at exactly 100 for 50 s: taken on the
    way back, the van is back at 180; it cannot wait for after the end."""
    lunch = (Break(50, 100, 100),)
    assert _out_and_back(build, 60, lunch, latest=200)(0, 1_000)
    assert not _out_and_back(build, 60, lunch, latest=140)(0, 1_000)
