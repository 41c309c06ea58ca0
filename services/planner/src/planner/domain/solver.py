"""Plan routes: `solve`, the one entry point of the service and of every benchmark.

Objective, in this order: leave out as few orders as possible, weighted by priority (each level
weighs ten times the one below, see `routing_model.drop_penalty`); then use as few vehicles as
possible (their fixed costs); then the lowest cost (per km and per hour, and soft-window orders'
lateness per second past their last window).

Which search runs:
- a day the compiled search models (`fleet_data.compiled_data`: identical or mixed vehicles
  with their own capacities, skills, shifts, start and end points, speeds, distance, route
  duration and working-time limits, drivers' breaks (`break_steps`; not on a vehicle that also
  has a duration or working-time limit) and prices, without drones; one or more windows per
  order, hard or soft (`window_steps`; lateness priced as OR-Tools prices it))
  gets the compiled ruin-and-recreate search between an OR-Tools start and an OR-Tools polish
  (`plain_search`);
- a day with drones (drones without breaks) whose other vehicles the compiled search models
  gets it for those vehicles, and the drones take orders around it: first those the vans left
  out (then, if any were, OR-Tools on the whole fleet), else those whose removal saves the vans
  more than the flight costs, the vans re-planned without them (`drone_step`);
- any other day gets OR-Tools' insertion plus guided local search on the full model (`search`);
- above DECOMPOSE_ABOVE orders the day is split into sectors (`decompose`).

`seed` seeds the ruin-and-recreate steps and rotates where sectors start.
"""

from __future__ import annotations

from planner.domain.decompose import solve_by_sectors
from planner.domain.drone_step import solve_with_drones
from planner.domain.fleet_data import compiled_data
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.plain_search import solve_plain
from planner.domain.search import SearchSettings, default_settings, solve_with

# Above this many orders one model gets too big for memory and time: split into sectors.
DECOMPOSE_ABOVE = 1500


def solve(
    problem: PlanningProblem, time_limit_s: float, seed: int, work_limit: int | None = None
) -> PlanResult:
    """Plan the problem's orders on its fleet within `time_limit_s` seconds.

    With a `work_limit` (solutions explored, or ruin-and-recreate steps in proportion) that
    binds before the time limit, the same problem and seed give the same plan on any machine,
    however loaded.
    """
    if len(problem.orders) > DECOMPOSE_ABOVE:
        return solve_by_sectors(problem, time_limit_s, seed)
    data = compiled_data(problem) if problem.orders else None
    if data is not None:
        return solve_plain(problem, data, time_limit_s, seed, work_limit)
    flown = solve_with_drones(problem, time_limit_s, seed, work_limit) if problem.orders else None
    if flown is not None:
        return flown
    settings = default_settings(len(problem.orders), time_limit_s)
    if work_limit is not None:
        settings = SearchSettings(
            settings.time_limit_s, work_limit, settings.first_solution, settings.neighbors_ratio
        )
    return solve_with(problem, settings)
