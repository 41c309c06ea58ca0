"""Geocoding settings (`GEOCODING_*`): which extract's addresses, and where the index is kept."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lastmile_common.routing.settings import embedded_map


def default_cache_dir() -> Path:
    """Address indexes live under the platform's state directory."""
    return Path(os.environ.get("LASTMILE_STATE_DIR", ".lastmile")) / "geocoding"


class GeocodingSettings(BaseSettings):
    """The extract whose addresses are searched (the same one routing uses) and the index cache.

    `index_file` set: read that prepared index and never build one (a Kubernetes Job prepared
    it, e.g. `/var/lib/lastmile/geocoding/current.json.gz`); unset: build it from `map_file`
    into `cache_dir` once per extract content. `enabled` false: no index; orders then needs
    every address's coordinates.
    """

    model_config = SettingsConfigDict(env_prefix="GEOCODING_", extra="ignore", frozen=True)

    enabled: bool = True
    map_file: Path = Field(default_factory=embedded_map)
    cache_dir: Path = Field(default_factory=default_cache_dir)
    index_file: Path | None = None
