"""Where numba keeps the compiled search, so a worker loads it instead of compiling (~60 s).

numba checks a cached function only against its own file: a change in `ruin_steps.py` would
leave `ruin_recreate.py`'s cached functions running the old steps. So the cache lives in one
folder per version of the compiled sources (a hash of them), under PLANNER_NUMBA_CACHE_DIR
(default: the user's cache folder). An image compiles ahead into a read-only folder named by
PLANNER_NUMBA_PREBUILT; a worker copies that version into its writable cache before loading
(numba only uses a cache folder it can write to).

`configure()` must run before the compiled modules are imported: `break_steps` and `ruin_steps`
call it first.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numba

# The modules whose functions are compiled with cache=True.
COMPILED = (
    "window_steps.py",
    "break_steps.py",
    "ruin_steps.py",
    "recreate_step.py",
    "ruin_recreate.py",
)
HERE = Path(__file__).resolve().parent


def version(sources: Path = HERE) -> str:
    """A short hash of the compiled sources in `sources` (and numba's version)."""
    digest = hashlib.sha256(numba.__version__.encode())
    for name in COMPILED:
        digest.update((sources / name).read_bytes())
    return digest.hexdigest()[:16]


def _base() -> Path:
    configured = os.environ.get("PLANNER_NUMBA_CACHE_DIR")
    if configured:
        return Path(configured)
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "lastmile" / "numba"


def configure() -> Path:
    """Point numba's cache at this version's folder (seeded from the prebuilt one); its path."""
    folder = _base() / version()
    prebuilt = os.environ.get("PLANNER_NUMBA_PREBUILT")
    shipped = Path(prebuilt) / version() if prebuilt else None
    if shipped is not None and shipped.is_dir() and not folder.exists():
        staging = folder.with_name(f"{folder.name}.{os.getpid()}")
        shutil.copytree(shipped, staging)
        try:
            staging.rename(folder)  # atomic: two workers may seed at once
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return folder  # not writable: numba falls back to compiling in memory
    numba.config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]
    return folder
