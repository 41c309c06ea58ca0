"""Preparation of a map extract (osrm-extract + osrm-contract) into a cache, once per content.

A dataset is keyed by the extract's SHA-256, the vehicle profile, the bucket's speed table,
the OSRM version and the profile template's version: an unchanged map is never prepared twice,
and buckets with equal speed tables share one dataset.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lastmile_common.routing.lua_profile import TEMPLATE_VERSION, traffic_profile
from lastmile_common.routing.map_file import extract_digest, read_bounds
from lastmile_common.routing.osrm_tools import osrm_tool, stock_profiles_dir
from lastmile_common.routing.traffic import TimeBucket, TrafficModel
from lastmile_common.routing.types import Bounds, MapDataError, Profile

DATASET_FILE = "dataset.json"
BASE_NAME = "map.osrm"


@dataclass(frozen=True, slots=True)
class PreparedDataset:
    """One routable dataset: the `.osrm` base path, and the wall and CPU seconds its preparation
    took now (None: found in the cache)."""

    profile: Profile
    speed_table: str
    path: Path
    seconds: float | None
    cpu_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class PreparedMap:
    """Every dataset of one extract, by (profile, bucket name)."""

    extract: Path
    sha256: str
    bounds: Bounds
    traffic: TrafficModel
    datasets: dict[tuple[Profile, str], PreparedDataset]


def dataset_key(profile: Profile, bucket: TimeBucket) -> str:
    """What a dataset's content depends on besides the extract, as a short hash."""
    osrm_version = importlib.metadata.version("osrm-bindings")
    text = f"{osrm_version}|{TEMPLATE_VERSION}|{profile.value}|{bucket.speed_table()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def prepare_map(
    extract: Path, traffic: TrafficModel, profiles: Sequence[Profile], cache_dir: Path
) -> PreparedMap:
    """Prepare (or find in the cache) a dataset per profile and time bucket of `extract`."""
    digest = extract_digest(extract)
    map_dir = cache_dir.resolve() / digest[:16]
    map_dir.mkdir(parents=True, exist_ok=True)
    datasets: dict[tuple[Profile, str], PreparedDataset] = {}
    by_key: dict[str, PreparedDataset] = {}
    with _locked(map_dir / ".lock"):
        bounds = _cached_bounds(extract, map_dir)
        for profile in profiles:
            for bucket in traffic.ordered():
                seen = traffic.bucket_for(profile, bucket)
                key = f"{profile.value}-{dataset_key(profile, seen)}"
                if key not in by_key:
                    by_key[key] = _prepare_dataset(extract, map_dir / key, profile, seen)
                datasets[profile, bucket.name] = by_key[key]
    return PreparedMap(extract, digest, bounds, traffic, datasets)


def point_current(prepared: PreparedMap, cache_dir: Path) -> None:
    """Point `cache_dir/current/<profile>/<bucket>` at each dataset of `prepared`.

    A fixed path for servers (osrm-routed) that must not know cache keys; each link is swapped
    atomically, so a server never sees a half-written one.
    """
    current = cache_dir.resolve() / "current"
    for (profile, bucket), dataset in prepared.datasets.items():
        folder = current / profile.value
        folder.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(dataset.path.parent, folder)
        staging = folder / f".{bucket}.{os.getpid()}"
        staging.unlink(missing_ok=True)
        staging.symlink_to(target, target_is_directory=True)
        staging.replace(folder / bucket)


def _prepare_dataset(
    extract: Path, target: Path, profile: Profile, bucket: TimeBucket
) -> PreparedDataset:
    """The dataset in `target`, made now unless a complete one is already there."""
    if (target / DATASET_FILE).is_file():
        return PreparedDataset(profile, bucket.speed_table(), target / BASE_NAME, None)
    work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        started, started_cpu = time.perf_counter(), _children_cpu_s()
        lua = work / "profile.lua"
        lua.write_text(traffic_profile(stock_profiles_dir(), profile.value, bucket))
        base = work / BASE_NAME
        _run(extract, "osrm-extract", "-p", str(lua), str(extract), "-o", str(base))
        _run(extract, "osrm-contract", str(base))
        seconds, cpu_seconds = time.perf_counter() - started, _children_cpu_s() - started_cpu
        meta = {
            "extract": str(extract),
            "profile": profile.value,
            "speed_table": bucket.speed_table(),
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu_seconds, 3),
        }
        (work / DATASET_FILE).write_text(json.dumps(meta, indent=2))
        if target.exists():  # an incomplete leftover of an interrupted run
            shutil.rmtree(target)
        work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PreparedDataset(profile, bucket.speed_table(), target / BASE_NAME, seconds, cpu_seconds)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(extract: Path, tool: str, *args: str) -> None:
    """Run an OSRM tool; on failure, an error naming the extract and the tool's last words."""
    command = [str(osrm_tool(tool)), *args, "--verbosity", "WARNING"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        reason = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise MapDataError(f"cannot prepare the map extract {extract}: {tool} failed: {reason}")


def _cached_bounds(extract: Path, map_dir: Path) -> Bounds:
    """The extract's bounds, read once and kept beside its datasets."""
    cached = map_dir / "bounds.json"
    if cached.is_file():
        return Bounds(**json.loads(cached.read_text()))
    bounds = read_bounds(extract)
    cached.write_text(json.dumps({k: getattr(bounds, k) for k in Bounds.__slots__}))
    return bounds


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock, so two processes starting together prepare once."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
