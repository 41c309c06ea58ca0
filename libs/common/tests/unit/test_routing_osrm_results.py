"""Reading OSRM answers: nulls (no route) become inf, errors become RoutingError."""

from __future__ import annotations

import math

import pytest
from lastmile_common.routing import RoutingError
from lastmile_common.routing.osrm_results import matrix_from_table


def _table(durations: list[list[float | None]]) -> dict[str, object]:
    size = len(durations)
    return {
        "code": "Ok",
        "durations": durations,
        "distances": [[None if d is None else d * 10 for d in row] for row in durations],
        "sources": [{"distance": 1.5 * i} for i in range(size)],
    }


def test_a_table_without_a_route_reads_as_infinity() -> None:
    m = matrix_from_table(_table([[0.0, 60.0, None], [65.0, 0.0, 30.0], [None, 31.0, 0.0]]), 3, "x")
    assert list(m.durations_s) == [0.0, 60.0, math.inf, 65.0, 0.0, 30.0, math.inf, 31.0, 0.0]
    assert m.distance(1, 2) == 300.0
    assert not m.reachable(0, 2)
    assert m.reachable(2, 1)
    assert m.snap_m == (0.0, 1.5, 3.0)


def test_a_table_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(RoutingError, match="wrong size"):
        matrix_from_table(_table([[0.0, 1.0], [1.0, 0.0]]), 3, "x")


def test_an_osrm_error_is_a_routing_error() -> None:
    with pytest.raises(RoutingError, match="TooBig: Too many table coordinates"):
        matrix_from_table({"code": "TooBig", "message": "Too many table coordinates"}, 2, "x")
