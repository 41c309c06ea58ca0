"""Command line: `python -m bench.planner FILE... --time-limit S [--json]`, `--scaling`,
`--versus` or `--replan`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from planner.domain.ruin_recreate import warm_up

from bench.planner.solomon import read_bks, read_instance, to_problem
from bench.planner.vrptw import solve_instance

DATA = Path(__file__).resolve().parent.parent / "data" / "solomon_100"


def _gap(vehicles: int, distance: float, bks: tuple[int, float] | None) -> str:
    if bks is None:
        return "n/a"
    if vehicles != bks[0]:
        return f"{vehicles - bks[0]:+d} veh"
    return f"{100 * (distance - bks[1]) / bks[1]:+.2f}%"


def _bks_path(files: list[Path]) -> Path:
    return next(
        (f.parent / "bks.csv" for f in files if (f.parent / "bks.csv").exists()), DATA / "bks.csv"
    )


def run_solomon(files: list[Path], time_limit: float, as_json: bool, seed: int = 0) -> int:
    """Solve each file, check it, print JSON lines or a table; non-zero if any is infeasible."""
    bks_path = _bks_path(files)
    bks = read_bks(bks_path) if bks_path.exists() else {}
    if not as_json:
        print(
            f"{'instance':<9}{'veh':>5}{'bks':>5}{'distance':>11}{'bks':>10}{'gap':>10}"
            f"{'secs':>7}  checked"
        )
    warm_up()  # compiling the ruin-and-recreate search is not part of any instance's time
    bad = 0
    for path in files:
        inst = read_instance(path)
        out = solve_instance(to_problem(inst), time_limit, seed)
        ok = not out.errors and out.unplaced == 0
        bad += not ok
        vehicles = len(out.routes)
        if as_json:
            print(
                json.dumps(
                    {
                        "instance": inst.name,
                        "vehicles": vehicles,
                        "distance": round(out.distance, 2),
                        "seconds": round(out.seconds, 1),
                        "routes": out.routes,
                    }
                ),
                flush=True,
            )
        else:
            ref = bks.get(inst.name)
            print(
                f"{inst.name:<9}{vehicles:>5}{ref[0] if ref else '':>5}{out.distance:>11.2f}"
                f"{ref[1] if ref else '':>10}{_gap(vehicles, out.distance, ref):>10}"
                f"{out.seconds:>7.1f}  {'ok' if ok else 'INFEASIBLE ' + '; '.join(out.errors[:3])}",
                flush=True,
            )
        if out.errors:
            print(f"{inst.name}: checker: {out.errors[:5]}", file=sys.stderr)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the Solomon or scaling benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench.planner")
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scaling", action="store_true", help="generated depots, 100-5000 stops")
    parser.add_argument("--versus", action="store_true", help="solve vs OR-Tools GLS alone")
    parser.add_argument("--sizes", default="100,500,1000,2000,5000")
    parser.add_argument("--long-factor", type=float, default=2.0, help="scaling: 0 skips")
    parser.add_argument(
        "--no-breaks", action="store_true", help="scaling, versus: vans without breaks"
    )
    parser.add_argument("--mixed", action="store_true", help="versus: a mixed fleet")
    parser.add_argument("--windows", action="store_true", help="versus: two or soft windows")
    parser.add_argument("--drones", action="store_true", help="versus: vans and 4 drones")
    parser.add_argument("--vans", type=int, default=None, help="drones: keep this many vans")
    parser.add_argument("--replan", action="store_true", help="re-plan at noon vs OR-Tools")
    parser.add_argument("--seeds", default="1,2,3", help="replan, drones, versus --windows: seeds")
    parser.add_argument("--on-map", action="store_true", help="versus on the real map")
    parser.add_argument(
        "--pyvrp", action="store_true", help="Solomon: PyVRP side by side (uv run --group bench)"
    )
    args = parser.parse_args(argv)
    if args.scaling:
        from bench.planner.scaling import run_scaling

        sizes = [int(s) for s in args.sizes.split(",")]
        return run_scaling(sizes, args.time_limit, args.long_factor, not args.no_breaks)
    if args.replan:
        from bench.planner.replan import run_replan

        seeds = [int(s) for s in args.seeds.split(",")]
        return run_replan([int(s) for s in args.sizes.split(",")], args.time_limit, seeds)
    if args.versus and args.drones:
        from bench.planner.drones import run_drones

        seeds = [int(s) for s in args.seeds.split(",")]
        sizes = [int(s) for s in args.sizes.split(",")]
        return run_drones(sizes, args.time_limit, seeds, args.vans)
    if args.on_map:
        from bench.planner.on_map import run_on_map

        return run_on_map([int(s) for s in args.sizes.split(",")], args.time_limit)
    if args.versus:
        from bench.planner.versus import run_versus

        sizes = [int(s) for s in args.sizes.split(",")]
        seeds = tuple(int(s) for s in args.seeds.split(",")) if args.windows else (0,)
        return run_versus(
            sizes, args.time_limit, args.mixed, not args.no_breaks, args.windows, seeds
        )
    files = args.files or sorted(DATA.glob("*.txt"))
    if args.pyvrp:
        from bench.planner.side_by_side import run_side_by_side

        return run_side_by_side(files, _bks_path(files), args.time_limit, args.seed)
    return run_solomon(files, args.time_limit, args.json, args.seed)


if __name__ == "__main__":
    sys.exit(main())
