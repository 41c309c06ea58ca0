"""Where the osrm-bindings wheel keeps its command-line tools and stock Lua profiles."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from lastmile_common.routing.types import RoutingError


def _package_dir() -> Path:
    spec = importlib.util.find_spec("osrm")
    if spec is None or not spec.submodule_search_locations:
        raise RoutingError("the osrm-bindings package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def osrm_tool(name: str) -> Path:
    """The path of an OSRM executable shipped in the wheel (osrm-extract, osrm-routed, ...)."""
    path = _package_dir() / "bin" / name
    if not path.is_file():
        raise RoutingError(f"{name} is not in the osrm-bindings wheel ({path})")
    return path


def stock_profiles_dir() -> Path:
    """The folder of OSRM's stock profiles (car.lua, bicycle.lua, lib/)."""
    return _package_dir() / "share" / "profiles"
