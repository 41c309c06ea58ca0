"""The address index of an extract, built once per extract content into a cache folder."""

from __future__ import annotations

import fcntl
import time
from dataclasses import dataclass
from pathlib import Path

from lastmile_common.geocoding.extract import read_extract
from lastmile_common.geocoding.index import INDEX_VERSION, AddressIndex
from lastmile_common.routing.map_file import extract_digest

CURRENT = "current.json.gz"


@dataclass(frozen=True, slots=True)
class PreparedIndex:
    """An extract's index, where it is kept, and the seconds building it took (None: cached)."""

    index: AddressIndex
    path: Path
    sha256: str
    seconds: float | None


def prepare_index(extract: Path, cache_dir: Path) -> PreparedIndex:
    """The index of `extract` from `cache_dir`, built now if this content has none yet; then
    `cache_dir/current.json.gz` names it (a fixed path for services that only read)."""
    digest = extract_digest(extract)
    cache_dir = cache_dir.resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{digest[:16]}-v{INDEX_VERSION}.json.gz"
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # several services starting at once build it once
        seconds: float | None = None
        if path.is_file():
            index = AddressIndex.load(path)
        else:
            started = time.perf_counter()
            index = read_extract(extract)
            index.save(path)
            seconds = time.perf_counter() - started
        staging = cache_dir / f".{CURRENT}.link"
        staging.unlink(missing_ok=True)
        staging.symlink_to(path.name)
        staging.replace(cache_dir / CURRENT)
    return PreparedIndex(index, path, digest, seconds)
