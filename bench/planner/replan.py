"""Re-plans at noon: through `replan` (the compiled search) against OR-Tools with the locks in
its model, at equal time, on generated days (`synthetic.under_way`)."""

from __future__ import annotations

from planner.domain.checker import check_plan
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.replan import promise_windows, replan, replan_with_ortools
from planner.domain.solver import solve
from planner.domain.synthetic import HOUR, DayUnderWay, generated_depot, under_way

from bench.planner.versus import plan_cost


def _row(name: str, problem: PlanningProblem, day: DayUnderWay, result: PlanResult) -> bool:
    served = frozenset(oid for chain in day.locked.values() for oid in chain)
    errors = check_plan(problem, result, served=served)
    print(
        f"{name:<28}{len(result.routes):>6}{len(result.unplaced):>9}"
        f"{plan_cost(problem, result):>11.1f}{result.seconds:>7.1f}  {errors[:2] or 'ok'}",
        flush=True,
    )
    return not errors


def run_replan(sizes: list[int], time_limit_s: float, seeds: list[int]) -> int:
    """Per size and seed: plan the day (vans without breaks), lock what began before noon, a
    tenth more orders come in, then re-plan both ways."""
    print(f"{'run':<28}{'vans':>6}{'unplaced':>9}{'cost':>11}{'secs':>7}  checked")
    ok = True
    for n in sizes:
        for seed in seeds:
            problem = generated_depot(n, seed, breaks=False)
            first = solve(problem, time_limit_s, 0)
            day = under_way(problem, first, 12 * HOUR, n // 10, seed)
            hard = promise_windows(day.problem, first)
            name = f"{n} stops seed {seed},"
            compiled = replan(day.problem, first, day.locked, day.now_s, time_limit_s, 0, day.seen)
            ok &= _row(f"{name} replan", hard, day, compiled)
            ortools = replan_with_ortools(
                hard, first, day.locked, day.now_s, time_limit_s, day.seen
            )
            ok &= _row(f"{name} OR-Tools", hard, day, ortools)
    return 0 if ok else 1
