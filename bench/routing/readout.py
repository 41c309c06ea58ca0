"""`uv run python -m bench.routing.readout [--size 1000] [--repeat 7]`: where a 1,000 x 1,000
duration+distance table's time goes, and what reading it out costs by three routes: the
osrm-bindings' result objects (what EmbeddedRouter does), osrm-routed's JSON, and osrm-routed's
flatbuffers answer (`.flatbuffers`). Prints one JSON line of medians: wall seconds and the CPU
seconds of this Python thread (the figure a busy machine keeps)."""

from __future__ import annotations

import argparse
import json
import os
import random
import struct
import subprocess
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from lastmile_common.routing import Profile, RoutingSettings
from lastmile_common.routing.osrm_engine import load_engine, table_parameters
from lastmile_common.routing.osrm_results import lon_lat, matrix_from_table
from lastmile_common.routing.osrm_tools import osrm_tool
from lastmile_common.routing.prepare import prepare_map

from bench.routing.measure import median_s, random_points
from lastmile.infra.ports import free_port

TABLE_FIELD = 5  # FBResult.table in the wheel's OSRM schema (error, code, data_version, waypoints, routes, table)
DURATIONS, DISTANCES = 0, 3  # Table.durations, Table.distances: [float]


def _fields(buf: bytes, table: int) -> tuple[int, ...]:
    """A flatbuffers table's field offsets, from its vtable."""
    vtable = table - struct.unpack_from("<i", buf, table)[0]
    size = struct.unpack_from("<H", buf, vtable)[0]
    return struct.unpack_from(f"<{(size - 4) // 2}H", buf, vtable + 4)


def _target(buf: bytes, table: int, offset: int) -> int:
    return table + offset + struct.unpack_from("<I", buf, table + offset)[0]


def flatbuffers_arrays(buf: bytes) -> list[array[float]]:
    """The durations and distances vectors (float32) as row-major arrays of doubles.

    OSRM writes an unreachable cell as 0 in this format (its JSON says null): a real reader
    would have to tell it from a true 0 (different snapped waypoints), this one only times.
    """
    root = struct.unpack_from("<I", buf, 0)[0]
    table = _target(buf, root, _fields(buf, root)[TABLE_FIELD])
    fields = _fields(buf, table)
    out = []
    for field in (DURATIONS, DISTANCES):
        vector = _target(buf, table, fields[field])
        count = struct.unpack_from("<I", buf, vector)[0]
        values: array[float] = array("d")
        values.frombytes(np.frombuffer(buf, "<f4", count, vector + 4).astype(np.float64).tobytes())
        out.append(values)
    return out


def json_arrays(body: bytes) -> list[array[float]]:
    """The JSON answer's durations and distances as row-major arrays (no nulls in this table)."""
    answer = json.loads(body)
    out = []
    for key in ("durations", "distances"):
        values: array[float] = array("d")
        for row in answer[key]:
            values.fromlist(row)
        out.append(values)
    return out


def _median(call: Callable[[], object], repeat: int) -> dict[str, float]:
    wall, cpu = median_s(call, repeat, time.thread_time)
    return {"wall_s": wall, "thread_cpu_s": cpu}


def run(size: int, repeat: int) -> dict[str, Any]:
    """Every figure, with osrm-routed started on the same dataset for the HTTP routes."""
    settings = RoutingSettings()
    prepared = prepare_map(
        settings.map_file, settings.traffic, settings.profiles, settings.cache_dir
    )
    path = prepared.datasets[Profile.CAR, "morning_rush"].path
    engine = load_engine(path)
    points = random_points(prepared, size, random.Random(12))
    params = table_parameters(lon_lat(points))
    coordinates = ";".join(f"{p.lon!r},{p.lat!r}" for p in points)
    query = {"annotations": "duration,distance"}
    with _osrm_routed(path, size) as base, httpx.Client(timeout=120) as client:
        url = f"{base}/table/v1/driving/{coordinates}"
        result = engine.Table(params)
        as_json = client.get(url, params=query).content
        as_flatbuffers = client.get(url + ".flatbuffers", params=query).content
        return {
            "benchmark": "routing-readout",
            "points": size,
            "bindings_engine_only": _median(lambda: engine.Table(params), repeat),
            "bindings_table_and_readout": _median(
                lambda: matrix_from_table(engine.Table(params), size, "b"), repeat
            ),
            "bindings_readout_only": _median(lambda: matrix_from_table(result, size, "b"), repeat),
            "http_json_get_and_parse": _median(
                lambda: json_arrays(client.get(url, params=query).content), repeat
            ),
            "http_json_parse_only": _median(lambda: json_arrays(as_json), repeat),
            "http_flatbuffers_get_and_parse": _median(
                lambda: flatbuffers_arrays(client.get(url + ".flatbuffers", params=query).content),
                repeat,
            ),
            "http_flatbuffers_parse_only": _median(
                lambda: flatbuffers_arrays(as_flatbuffers), repeat
            ),
            "bytes": {"json": len(as_json), "flatbuffers": len(as_flatbuffers)},
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }


@contextmanager
def _osrm_routed(path: Path, size: int) -> Iterator[str]:
    """The wheel's osrm-routed on `path`, answering; yields its base URL."""
    port = free_port()
    command = [str(osrm_tool("osrm-routed")), str(path), "-i", "127.0.0.1", "-p", str(port)]
    command += ["--max-table-size", str(size)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/nearest/v1/driving/9.52,47.14", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    """Parse the options, run, print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.routing.readout", description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(run(args.size, args.repeat)))


if __name__ == "__main__":
    main()
