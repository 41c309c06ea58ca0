"""Plan routes: the picklable `solve` entry point, one search or a day split into sectors.

`seed` only rotates where sectors start when a large day is decomposed; see `search` for what
makes a single search repeatable.
"""

from __future__ import annotations

from planner.domain.decompose import solve_by_sectors
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.search import SearchSettings, default_settings, solve_with

# Above this many orders one model gets too big for memory and time: split into sectors.
DECOMPOSE_ABOVE = 1500


def solve(
    problem: PlanningProblem, time_limit_s: float, seed: int, work_limit: int | None = None
) -> PlanResult:
    """Plan the problem's orders on its fleet within `time_limit_s` seconds.

    With a `work_limit` (solutions explored) that binds before the time limit, the same problem
    and seed give the same plan on any machine, however loaded.
    """
    if len(problem.orders) > DECOMPOSE_ABOVE:
        return solve_by_sectors(problem, time_limit_s, seed)
    settings = default_settings(len(problem.orders), time_limit_s)
    if work_limit is not None:
        settings = SearchSettings(
            settings.time_limit_s, work_limit, settings.first_solution, settings.neighbors_ratio
        )
    return solve_with(problem, settings)
