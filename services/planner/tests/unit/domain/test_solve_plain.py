"""`solve` runs the compiled ruin-and-recreate search on plain VRPTW days, checked and repeatable."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
from planner.domain import plain_search
from planner.domain.checker import check_plan
from planner.domain.model import Capacity, PlanningProblem, PlanResult, TimeWindow
from planner.domain.ruin_recreate import warm_up
from planner.domain.solver import solve

PARCEL = Capacity(0.0, 0.0, 1)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile first: a fresh checkout has no numba cache, and compiling takes many seconds."""
    warm_up()


def _plain(build: Any, n: int = 40, fixed_cost: float = 0.0) -> PlanningProblem:
    rng = random.Random(11)
    orders = []
    for i in range(n):
        start = rng.randrange(0, 3_000)
        orders.append(
            build.order(
                f"o{i}",
                rng.uniform(-400, 400),
                rng.uniform(-400, 400),
                demand=PARCEL,
                windows=(TimeWindow(start, start + 1_500),),
            )
        )
    fleet = [
        build.vehicle(f"v{k}", capacity=Capacity(0.0, 0.0, 8), fixed_cost=fixed_cost)
        for k in range(n // 2)
    ]
    return build.problem(fleet, orders)


def _shape(result: PlanResult) -> list[tuple[str, list[str]]]:
    return [(r.vehicle_id, [v.order_id for v in r.visits]) for r in result.routes]


def test_a_plain_day_goes_through_the_compiled_search(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    for name in ("fewer_routes", "shorten"):
        real = getattr(plain_search, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kw)

        monkeypatch.setattr(plain_search, name, spy)
    p = _plain(build)
    result = solve(p, 3.0, 0)
    assert calls == ["fewer_routes", "shorten"]
    assert check_plan(p, result) == []
    assert result.unplaced == ()
    # Eight parcels a van: five vans at least.
    assert 5 <= len(result.routes) <= 8


def test_a_day_with_more_rules_stays_on_the_general_search(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kw: Any) -> Any:
        raise AssertionError("the compiled search cannot model weights")

    monkeypatch.setattr(plain_search, "fewer_routes", fail)
    p = _plain(build, 10)
    heavy = replace(p.orders[0], demand=Capacity(5.0, 0.0, 1))
    p = replace(p, orders=(heavy, *p.orders[1:]))
    assert check_plan(p, solve(p, 1.0, 0)) == []


def test_work_limit_makes_the_compiled_search_repeatable(build: Any) -> None:
    p = _plain(build)
    first = solve(p, 30.0, seed=3, work_limit=200)
    assert first.seconds < 30.0
    assert _shape(first) == _shape(solve(p, 30.0, seed=3, work_limit=200))
    assert check_plan(p, first) == []


def test_cost_counts_the_fixed_cost_of_every_vehicle_used(build: Any) -> None:
    p = _plain(build, fixed_cost=500.0)
    result = solve(p, 2.0, 0, work_limit=100)
    assert check_plan(p, result) == []
    assert result.cost >= 500.0 * len(result.routes)
