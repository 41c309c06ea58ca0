"""OSRM's engine from the bindings: loading a prepared dataset and calling it, errors as ours."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import osrm

from lastmile_common.routing.types import MapDataError, RoutingError


def load_engine(path: Path, *, mmap: bool = False) -> osrm.OSRM:
    """The contraction-hierarchies engine on one prepared dataset; `mmap` maps the files instead
    of reading them in (processes on one dataset then share its pages)."""
    try:
        return osrm.OSRM(
            algorithm="CH", storage_config=str(path), use_shared_memory=False, use_mmap=mmap
        )
    except RuntimeError as exc:
        raise MapDataError(
            f"cannot load the prepared dataset {path} (delete {path.parent} to prepare it"
            f" again): {exc}"
        ) from exc


def call(method: Callable[[Any], Any], params: Any) -> Any:
    """`method(params)`; the bindings raise OSRM's error code and message as RuntimeError."""
    try:
        return method(params)
    except RuntimeError as exc:
        raise RoutingError(str(exc)) from exc


def table_parameters(
    coordinates: list[tuple[float, float]], rows: range | None = None
) -> osrm.TableParameters:
    """A durations + distances table of every coordinate, or of `rows` to every coordinate;
    no hints (lastmile never sends them back, and making them costs ~10 % of a large table)."""
    return osrm.TableParameters(
        coordinates=coordinates,
        sources=list(rows) if rows is not None else [],
        annotations=["duration", "distance"],
        generate_hints=False,
    )
