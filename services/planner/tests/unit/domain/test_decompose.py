"""Large days are split into sectors; the stitched plan is still feasible and complete."""

from __future__ import annotations

import math
from typing import Any

import pytest
from planner.domain import decompose
from planner.domain.checker import check_plan


def test_sector_plan_is_feasible_and_places_every_order(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decompose, "SECTOR_SIZE", 15)
    orders = [
        build.order(f"o{i}", 80 * math.cos(i * 0.37), 80 * math.sin(i * 0.37)) for i in range(45)
    ]
    p = build.problem([build.vehicle(f"v{i}") for i in range(9)], orders)
    result = decompose.solve_by_sectors(p, time_limit_s=4.0, seed=1)
    assert check_plan(p, result) == []
    assert result.unplaced == ()
    assert result.notes == ("decomposed into 3 sectors",)


def test_sectors_share_out_orders_and_vehicles(build: Any) -> None:
    orders = [build.order(f"o{i}", math.cos(i), math.sin(i)) for i in range(30)]
    p = build.problem([build.vehicle(f"v{i}") for i in range(6)], orders)
    sectors = decompose.split_sectors(p, 3, seed=0)
    assert sorted(o.id for _, os in sectors for o in os) == sorted(o.id for o in orders)
    assert [len(vs) for vs, _ in sectors] == [2, 2, 2]


def test_each_sector_gets_the_compiled_search(build: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decompose, "SECTOR_SIZE", 15)
    sectors: list[int] = []
    real = decompose.solve_plain

    def spy(part: Any, *args: Any) -> Any:
        sectors.append(len(part.orders))
        return real(part, *args)

    monkeypatch.setattr(decompose, "solve_plain", spy)
    orders = [
        build.order(f"o{i}", 80 * math.cos(i * 0.37), 80 * math.sin(i * 0.37)) for i in range(45)
    ]
    p = build.problem([build.vehicle(f"v{i}") for i in range(9)], orders)
    result = decompose.solve_by_sectors(p, time_limit_s=6.0, seed=1)
    assert sectors == [15, 15, 15]
    assert check_plan(p, result) == []
    assert result.unplaced == ()
