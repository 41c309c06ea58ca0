"""Large tables computed by rows in worker processes.

OSRM's table call holds the GIL, and reading its answer out of the bindings' objects costs
about as much again (1,000 x 1,000 durations and distances: ~0.3 s each on this project's
2-core machine), so one process computes a table on one core. Split by source rows, each worker
computes and reads out its share on a core of its own; the caller only joins the rows.
Workers start on the first large table (spawned: ~2 s importing the bindings) and map each
dataset's files once (shared pages: a large region is not copied per worker).
"""

from __future__ import annotations

import threading
from array import array
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import osrm

from lastmile_common.routing.osrm_engine import call, load_engine, table_parameters
from lastmile_common.routing.osrm_results import check_ok, flat_rows
from lastmile_common.worker_processes import stop_pool, worker_pool

# Below this many points a table is computed in the caller's process: splitting it gains less
# than handing it to the workers costs.
PARALLEL_FROM = 200

Rows = tuple[bytes, bytes, list[float]]
_engines: dict[Path, osrm.OSRM] = {}


def table_rows(path: Path, coordinates: list[tuple[float, float]], first: int, last: int) -> Rows:
    """In a worker: rows first..last-1 of the table of `coordinates` on the dataset at `path`,
    as row-major float64 bytes (durations, distances) and those rows' snapping distances."""
    engine = _engines.get(path)
    if engine is None:
        engine = _engines[path] = load_engine(path, mmap=True)  # one copy in memory
    result = call(engine.Table, table_parameters(coordinates, range(first, last)))
    check_ok(result)
    snap_m = [float(w["distance"]) for w in result["sources"]]
    return (
        flat_rows(result["durations"]).tobytes(),
        flat_rows(result["distances"]).tobytes(),
        snap_m,
    )


class TableWorkersBroken(Exception):
    """A worker died during a table (killed, out of memory); the next table starts new ones."""


class TableWorkers:
    """`workers` processes sharing each large table by rows. One table at a time (callers in
    several threads wait): a table already uses every worker."""

    def __init__(self, workers: int) -> None:
        if workers < 2:
            raise ValueError("table workers split a table: two at least")
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def table(
        self, path: Path, coordinates: list[tuple[float, float]]
    ) -> tuple[array[float], array[float], tuple[float, ...]]:
        """Durations and distances (row-major) and snapping distances of every point; raises
        TableWorkersBroken when a worker died (during this table or since the last one)."""
        with self._lock:
            try:
                return self._table(path, coordinates)
            except BrokenProcessPool as exc:
                self._stop()
                raise TableWorkersBroken(str(exc)) from exc

    def _table(
        self, path: Path, coordinates: list[tuple[float, float]]
    ) -> tuple[array[float], array[float], tuple[float, ...]]:
        if self._pool is None:
            self._pool = worker_pool(self._workers)
        size = len(coordinates)
        step = -(-size // self._workers)
        parts = [
            self._pool.submit(table_rows, path, coordinates, first, min(size, first + step))
            for first in range(0, size, step)
        ]
        durations: array[float] = array("d")
        distances: array[float] = array("d")
        snap_m: list[float] = []
        for part in parts:
            rows_durations, rows_distances, rows_snap = part.result()
            durations.frombytes(rows_durations)
            distances.frombytes(rows_distances)
            snap_m += rows_snap
        return durations, distances, tuple(snap_m)

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._pool is not None:
            stop_pool(self._pool)
            self._pool = None
