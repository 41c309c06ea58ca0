"""Routing settings (`ROUTING_*`): which map, where prepared data is kept, traffic, which engine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lastmile_common.routing.traffic import TrafficModel
from lastmile_common.routing.types import Bounds, Profile

EMBEDDED_MAP = Path("data/osm/liechtenstein.osm.pbf")


def embedded_map() -> Path:
    """The map shipped in the repository (data/osm), found from the source tree or the cwd."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / EMBEDDED_MAP
        if candidate.is_file():
            return candidate
    return EMBEDDED_MAP


def usable_cores() -> int:
    """CPUs this process may run on (its affinity, which containers' cpusets narrow)."""
    return len(os.sched_getaffinity(0))


def default_cache_dir() -> Path:
    """Prepared datasets live under the platform's state directory."""
    return Path(os.environ.get("LASTMILE_STATE_DIR", ".lastmile")) / "routing"


class RoutingSettings(BaseSettings):
    """Where roads come from. `traffic` is JSON in `ROUTING_TRAFFIC` (one region per map).

    backend `embedded`: OSRM in this process on `map_file`, prepared into `cache_dir`.
    `table_workers`: worker processes sharing a large table by rows (embedded backend); unset:
    one per usable core up to 4; 0 or 1: tables in the calling process only.
    backend `http`: osrm-routed servers, one per (profile, bucket), at `url_template` (with
    `{profile}` and `{bucket}`, the bucket's `_` written `-`), e.g.
    `http://osrm-{profile}-{bucket}:5000` -> `http://osrm-car-morning-rush:5000`.
    """

    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore", frozen=True)

    backend: Literal["embedded", "http"] = "embedded"
    map_file: Path = Field(default_factory=embedded_map)
    cache_dir: Path = Field(default_factory=default_cache_dir)
    profiles: tuple[Profile, ...] = (Profile.CAR, Profile.BICYCLE)
    traffic: TrafficModel = TrafficModel()
    url_template: str = "http://127.0.0.1:5000"
    # The map's rectangle for the http backend; unset: read from `map_file`'s header.
    bounds: Bounds | None = None
    http_timeout_s: float = Field(default=30.0, gt=0)
    table_workers: int | None = Field(default=None, ge=0)

    def table_worker_count(self) -> int:
        """`table_workers`, or one per usable core up to 4."""
        return self.table_workers if self.table_workers is not None else min(4, usable_cores())
