"""The compiled search loads from a prebuilt cache instead of compiling at a worker's start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from planner.domain import compiled_cache
from planner.domain.ruin_recreate import warm_up

# In a fresh process: warm up, then report numba's cache hits and misses of the search loops.
PROBE = """
import json
from planner.domain import ruin_recreate
ruin_recreate.warm_up()
loops = [ruin_recreate._anneal_chunk, ruin_recreate._fleet_chunk]
print(json.dumps({
    "hits": sum(sum(f.stats.cache_hits.values()) for f in loops),
    "misses": sum(sum(f.stats.cache_misses.values()) for f in loops),
}))
"""


def _probe(env: dict[str, str]) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    stats: dict[str, int] = json.loads(out.stdout.strip().splitlines()[-1])
    return stats


def test_a_worker_seeds_its_cache_from_the_prebuilt_one_and_compiles_nothing(
    tmp_path: Path,
) -> None:
    warm_up()  # this process's cache (this version's folder) now holds the compiled search
    built = compiled_cache.configure()
    writable = tmp_path / "cache"
    stats = _probe(
        {"PLANNER_NUMBA_PREBUILT": str(built.parent), "PLANNER_NUMBA_CACHE_DIR": str(writable)}
    )
    assert (writable / compiled_cache.version()).is_dir()
    assert stats["misses"] == 0
    assert stats["hits"] >= 2


def test_the_folder_changes_with_any_compiled_source(tmp_path: Path) -> None:
    """A change in ruin_steps.py alone must not load ruin_recreate's functions compiled against
    the old steps (numba checks a cached function against its own file only)."""
    here = Path(compiled_cache.__file__).parent
    for name in compiled_cache.COMPILED:
        (tmp_path / name).write_bytes((here / name).read_bytes())
    assert compiled_cache.version(tmp_path) == compiled_cache.version()
    steps = tmp_path / "ruin_steps.py"
    steps.write_text(steps.read_text() + "\n# changed\n")
    assert compiled_cache.version(tmp_path) != compiled_cache.version()
