"""Points and great-circle distances."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from lastmile_common.geo import EARTH_RADIUS_M
from lastmile_common.geo import haversine_m as _haversine_m


@dataclass(frozen=True, slots=True)
class Location:
    """A WGS84 point (for Euclidean instances: lon is x, lat is y)."""

    lat: float
    lon: float


FloatMatrix = npt.NDArray[np.float64]


def haversine_matrix(locations: list[Location]) -> FloatMatrix:
    """Great-circle distances in metres between every pair of locations: lastmile_common's
    haversine, vectorised (a depot's day has thousands of pairs)."""
    lat = np.radians(np.array([p.lat for p in locations], dtype=np.float64))
    lon = np.radians(np.array([p.lon for p in locations], dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    result: FloatMatrix = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


def haversine_m(a: Location, b: Location) -> float:
    """Great-circle distance in metres between two points."""
    return _haversine_m(a.lat, a.lon, b.lat, b.lon)


def euclidean_matrix(locations: list[Location], scale: float) -> FloatMatrix:
    """Plane distances between points (lon as x, lat as y), multiplied by `scale`."""
    xy = np.array([(p.lon, p.lat) for p in locations], dtype=np.float64)
    diff = xy[:, None, :] - xy[None, :, :]
    result: FloatMatrix = np.sqrt((diff**2).sum(axis=2)) * scale
    return result
