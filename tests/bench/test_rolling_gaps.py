"""The rolling-restart benchmark's statistics: nearest-rank percentiles and per-vehicle gaps."""

from __future__ import annotations

import pytest

from bench.tracking.gaps import longest_gaps, percentile


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 1..100, unordered
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0], 1) == 1.0


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 99) is None


def test_gap_is_the_longest_silence_inside_the_window() -> None:
    updates = {"a": [1.0, 2.0, 9.5, 10.0], "b": [0.5, 1.0, 1.5, 2.0, 2.5]}
    gaps = longest_gaps(updates, start=1.0, end=10.0)
    assert gaps["a"] == pytest.approx((7.5, 2.0))  # 2.0 → 9.5
    assert gaps["b"] == pytest.approx((7.5, 2.5))  # last update at 2.5, window ends at 10


def test_a_vehicle_never_updated_was_silent_the_whole_window() -> None:
    assert longest_gaps({"c": [], "d": [20.0]}, start=5.0, end=15.0) == {
        "c": (10.0, 5.0),
        "d": (10.0, 5.0),
    }
