"""The generated depot (shared with the scaling benchmark) is repeatable and plans cleanly."""

from __future__ import annotations

from planner.domain.checker import check_plan
from planner.domain.solver import solve
from planner.domain.synthetic import generated_depot


def test_same_seed_same_depot_other_seed_other_orders() -> None:
    assert generated_depot(40, seed=1) == generated_depot(40, seed=1)
    assert generated_depot(40, seed=1).orders != generated_depot(40, seed=2).orders


def test_fleet_grows_with_the_stops() -> None:
    assert len(generated_depot(20).vehicles) == 3
    assert len(generated_depot(330).vehicles) == 10


def test_generated_depot_plans_with_breaks_and_rush_hours() -> None:
    p = generated_depot(40)
    result = solve(p, 2.0, 0, work_limit=200)
    assert check_plan(p, result) == []
    assert len(result.order_ids()) + len(result.unplaced) == 40
    assert all(len(r.breaks) == 1 for r in result.routes)
