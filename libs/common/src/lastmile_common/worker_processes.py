"""Worker processes a service starts for CPU-bound work (the planner's solves, large road
tables): started with `spawn` (no forked copy of the event loop, sockets or database pool), and
gone when the service that started them is (killed with SIGKILL, it cannot stop its pool)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# How often a worker checks that the process that started it still lives.
PARENT_CHECK_S = 1.0


def exit_with(parent: int) -> None:
    """In a worker: exit when `parent` is gone instead of living on as an orphan."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _start_worker(initializer: Callable[..., object] | None, parent: int, *args: Any) -> None:
    exit_with(parent)
    if initializer is not None:
        initializer(*args)


def worker_pool(
    max_workers: int, initializer: Callable[..., object] | None = None, *args: Any
) -> ProcessPoolExecutor:
    """A spawn-started pool whose workers exit with this process, each running
    `initializer(*args)` first."""
    return ProcessPoolExecutor(
        max_workers=max_workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(initializer, os.getpid(), *args),
    )


def stop_pool(pool: ProcessPoolExecutor) -> int:
    """Kill the pool's processes (work in them is lost) and shut it down; how many were alive."""
    # ProcessPoolExecutor has no public way to stop a running task: kill its processes.
    processes = [p for p in getattr(pool, "_processes", {}).values() if p.is_alive()]
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    return len(processes)
