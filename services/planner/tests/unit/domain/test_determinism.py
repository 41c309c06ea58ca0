"""The same problem and seed give the same plan."""

from __future__ import annotations

import pickle
import random
from typing import Any

from planner.domain.model import Capacity, PlanResult, TimeWindow
from planner.domain.search import SearchSettings, solve_with
from planner.domain.solver import solve


def _problem(build: Any) -> Any:
    rng = random.Random(3)
    orders = []
    for i in range(30):
        start = rng.randrange(0, 600)
        orders.append(
            build.order(
                f"o{i}",
                rng.uniform(-100, 100),
                rng.uniform(-100, 100),
                windows=(TimeWindow(start, start + 300),),
                demand=Capacity(1.0, 0.01, rng.randint(1, 3)),
            )
        )
    return build.problem([build.vehicle(f"v{i}") for i in range(5)], orders)


def _shape(result: PlanResult) -> list[tuple[str, list[str]]]:
    return [(r.vehicle_id, [v.order_id for v in r.visits]) for r in result.routes]


def test_work_limit_makes_runs_repeatable(build: Any) -> None:
    p = _problem(build)
    settings = SearchSettings(time_limit_s=30.0, work_limit=300)
    first = solve_with(p, settings)
    assert first.seconds < 30.0
    assert _shape(first) == _shape(solve_with(p, settings))


def test_same_seed_same_plan(build: Any) -> None:
    p = _problem(build)
    # A work limit binds before the (generous) time limit, so load on the machine cannot matter.
    first = solve(p, 30.0, seed=5, work_limit=300)
    assert _shape(first) == _shape(solve(p, 30.0, seed=5, work_limit=300))
    assert first.routes


def test_problem_and_result_pickle_for_a_worker_process(build: Any) -> None:
    p = _problem(build)
    result = solve(pickle.loads(pickle.dumps(p)), 0.5, 0)
    assert pickle.loads(pickle.dumps(result)) == result
