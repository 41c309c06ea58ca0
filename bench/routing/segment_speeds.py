"""`python -m bench.routing.segment_speeds`: the road-speed alternative lastmile did not take,
measured against the one it did (docs/architecture.md, "Traffic by time of day").

Lastmile prepares each time bucket with its own generated Lua profile (extract + contract per
bucket). The alternative is OSRM's segment speed files: extract once, then per bucket
`osrm-contract --segment-speed-file` with every segment's speed and rate scaled by its class.
The stock speeds come from a profile that wraps car.lua and writes each segment it sees to a
CSV (one thread, so the writes do not interleave). Prints one JSON line: CPU seconds of each
step, and how far the two ways' 200 x 200 tables lie apart per bucket (relative gaps).
"""

from __future__ import annotations

import csv
import json
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import osrm
from lastmile_common.routing import Profile, RoadClass, RoutingSettings
from lastmile_common.routing.lua_profile import HIGHWAYS
from lastmile_common.routing.osrm_tools import osrm_tool, stock_profiles_dir
from lastmile_common.routing.prepare import prepare_map

DUMP_PROFILE = """\
package.path = [==[{stock}/?.lua;]==] .. package.path
local stock = dofile([==[{stock}/car.lua]==])
local out = io.open([==[{csv}]==], "w")
local function process_way(profile, way, result, relations)
  stock.process_way(profile, way, result, relations)
  local highway = way:get_value_by_key("highway")
  if highway and (result.forward_speed > 0 or result.backward_speed > 0) then
    local previous = nil
    for _, node in ipairs(way:get_nodes()) do
      if previous then
        out:write(previous, ",", node:id(), ",", highway, ",", result.forward_speed, ",",
                  result.backward_speed, ",", result.forward_rate, ",", result.backward_rate, "\\n")
      end
      previous = node:id()
    end
    out:flush()
  end
end
return {{ setup = stock.setup, process_way = process_way,
          process_node = stock.process_node, process_turn = stock.process_turn }}
"""


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _tool(name: str, *args: str) -> None:
    subprocess.run([str(osrm_tool(name)), *args, "--verbosity", "WARNING"], check=True)


def _speed_file(segments: list[list[str]], factors: dict[str, float], target: Path) -> None:
    """One line per direction a segment may be driven: its stock speed and rate, scaled."""
    with target.open("w") as out:
        for a, b, highway, fwd, bwd, fwd_rate, bwd_rate in segments:
            factor = factors.get(highway, factors["*"])
            if float(fwd) > 0:
                out.write(f"{a},{b},{float(fwd) * factor:.4f},{float(fwd_rate) * factor:.6f}\n")
            if float(bwd) > 0:
                out.write(f"{b},{a},{float(bwd) * factor:.4f},{float(bwd_rate) * factor:.6f}\n")


def _table(path: Path, points: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """Durations and distances, row-major."""
    engine = osrm.OSRM(algorithm="CH", storage_config=str(path), use_shared_memory=False)
    params = osrm.TableParameters(coordinates=points, annotations=["duration", "distance"])
    table = engine.Table(params)
    return (
        [value for row in table["durations"] for value in row],
        [value for row in table["distances"] for value in row],
    )


def _gaps(mine: list[float], theirs: list[float]) -> list[float]:
    return [abs(x - y) / x for x, y in zip(mine, theirs, strict=True) if x and y]


def main() -> None:
    """Prepare the car buckets the other way, compare with lastmile's datasets, print JSON."""
    settings = RoutingSettings()
    ours = prepare_map(settings.map_file, settings.traffic, [Profile.CAR], settings.cache_dir)
    rng = random.Random(3)
    b = ours.bounds
    points = [
        (rng.uniform(b.min_lon, b.max_lon), rng.uniform(b.min_lat, b.max_lat)) for _ in range(200)
    ]
    figures: dict[str, object] = {"benchmark": "routing.segment_speeds"}
    with tempfile.TemporaryDirectory(prefix="bench-segments-") as scratch:
        work = Path(scratch)
        started = _cpu_s()
        (work / "dump.lua").write_text(
            DUMP_PROFILE.format(stock=stock_profiles_dir(), csv=work / "segments.csv")
        )
        _tool(
            "osrm-extract",
            "-t",
            "1",
            "-p",
            str(work / "dump.lua"),
            str(settings.map_file),
            "-o",
            str(work / "base.osrm"),
        )
        segments = list(csv.reader((work / "segments.csv").open()))
        figures["extract_once_cpu_s"] = round(_cpu_s() - started, 2)
        figures["segments"] = len(segments)
        for bucket in settings.traffic.ordered():
            started = _cpu_s()
            folder = work / bucket.name
            folder.mkdir()
            for part in work.glob("base.osrm*"):
                shutil.copy(part, folder)
            factors = {h: bucket.factor(c) for c, hs in HIGHWAYS.items() for h in hs}
            factors["*"] = bucket.factor(RoadClass.LOCAL)
            _speed_file(segments, factors, folder / "speeds.csv")
            _tool(
                "osrm-contract",
                str(folder / "base.osrm"),
                "--segment-speed-file",
                str(folder / "speeds.csv"),
            )
            cpu = _cpu_s() - started
            theirs = _table(folder / "base.osrm", points)
            mine = _table(ours.datasets[Profile.CAR, bucket.name].path, points)
            gaps = _gaps(mine[0], theirs[0])
            figures[bucket.name] = {
                "per_bucket_cpu_s": round(cpu, 2),
                "duration_gap_median": round(statistics.median(gaps), 5),
                "duration_gap_max": round(max(gaps), 5),
                "distance_gap_max": round(max(_gaps(mine[1], theirs[1])), 5),
            }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
