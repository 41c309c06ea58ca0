"""`python -m bench.planner --pyvrp FILE...`: lastmile's `solve` and PyVRP on each Solomon
instance at the same time limit, in the same run, each in its own process at the same time
(so both share the machine's load alike), every plan through lastmile's checker."""

from __future__ import annotations

import multiprocessing
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from planner.domain.ruin_recreate import warm_up

from bench.planner.solomon import read_bks, read_instance, to_problem
from bench.planner.vrptw import Outcome, solve_instance


def _lastmile(path: Path, time_limit_s: float, seed: int) -> Outcome:
    return solve_instance(to_problem(read_instance(path)), time_limit_s, seed)


def _pyvrp(path: Path, time_limit_s: float, seed: int) -> Outcome:
    from bench.planner.pyvrp_side import solve_pyvrp

    inst = read_instance(path)
    return solve_pyvrp(inst, to_problem(inst), time_limit_s, seed)


@dataclass
class Tally:
    """Best-known vehicle counts and gaps (where the count matches) of one solver."""

    name: str
    at_bks_vehicles: int = 0
    infeasible: int = 0
    gaps: list[float] | None = None

    def add(self, out: Outcome, bks: tuple[int, float] | None) -> str:
        """Count one instance; the cell to print."""
        if out.errors or out.unplaced:
            self.infeasible += 1
            return f"{'INFEASIBLE':>22}"
        vehicles = len(out.routes)
        cell = f"{vehicles:>4}{out.distance:>10.2f}"
        if bks is None:
            return cell + f"{'':>8}"
        if vehicles != bks[0]:
            return cell + f"{vehicles - bks[0]:>+5d} v "
        self.at_bks_vehicles += 1
        gap = 100 * (out.distance - bks[1]) / bks[1]
        self.gaps = [*(self.gaps or []), gap]
        return cell + f"{gap:>+7.2f}%"

    def summary(self, instances: int) -> str:
        """One line: counts and the mean gap."""
        mean = statistics.fmean(self.gaps) if self.gaps else float("nan")
        return (
            f"{self.name}: best-known vehicles {self.at_bks_vehicles}/{instances}, mean gap "
            f"{mean:+.2f}% over those, infeasible {self.infeasible}"
        )


def run_side_by_side(files: list[Path], bks_path: Path, time_limit_s: float, seed: int) -> int:
    """Both solvers on every file; non-zero if any plan of either fails the checker."""
    bks = read_bks(bks_path) if bks_path.exists() else {}
    ours, theirs = Tally("lastmile solve"), Tally("PyVRP 0.14")
    print(f"{'instance':<9}{'lastmile veh / dist / gap':>26}{'PyVRP veh / dist / gap':>26}  bks")
    spawn = multiprocessing.get_context("spawn")
    # Compiling lastmile's search is not part of any instance's time (as in run_solomon).
    with ProcessPoolExecutor(2, mp_context=spawn, initializer=warm_up) as pool:
        for path in files:
            a = pool.submit(_lastmile, path, time_limit_s, seed)
            b = pool.submit(_pyvrp, path, time_limit_s, seed)
            ref = bks.get(path.stem)
            left, right = ours.add(a.result(), ref), theirs.add(b.result(), ref)
            shown = f"{ref[0]} / {ref[1]}" if ref else ""
            print(f"{path.stem:<9}{left:>26}{right:>26}  {shown}", flush=True)
    print(ours.summary(len(files)))
    print(theirs.summary(len(files)))
    return 1 if ours.infeasible or theirs.infeasible else 0
