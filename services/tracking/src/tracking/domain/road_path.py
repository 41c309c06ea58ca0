"""A route's road geometry: how far a fix lies from it, and the piece of it between two points."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polyline

_M_PER_DEG = 111_195.0
# Segments searched around the last point found before the whole path: a vehicle checked every
# few seconds has moved a handful of segments, and a long route has thousands.
_WINDOW = 48

LatLon = tuple[float, float]


class RoadPath:
    """A polyline of WGS84 points, measured in a local plane around it (metres).

    A route spans a few tens of kilometres at most, where an equirectangular plane at its mean
    latitude is exact to well under a metre per kilometre: plenty for a distance threshold.
    """

    def __init__(self, points: Sequence[LatLon]) -> None:
        if not points:
            raise ValueError("a road path needs at least one point")
        latlon = np.asarray(points, dtype=np.float64)
        if len(latlon) == 1:
            latlon = np.vstack([latlon, latlon])
        self.points: npt.NDArray[np.float64] = latlon
        self._scale = np.array(
            [_M_PER_DEG, _M_PER_DEG * math.cos(math.radians(float(latlon[:, 0].mean())))]
        )
        plane = latlon * self._scale
        self._start = plane[:-1]
        self._step = plane[1:] - plane[:-1]
        self._length2 = np.maximum((self._step**2).sum(axis=1), 1e-12)
        self._hint = 0  # the segment found last

    @classmethod
    def decode(cls, encoded: str) -> RoadPath:
        """A path from a Google encoded polyline (precision 5, lat/lon order)."""
        return cls(polyline.decode(encoded, 5))

    def _nearest(
        self, lat: float, lon: float, lo: int = 0, hi: int | None = None
    ) -> tuple[int, float, float]:
        """Index of the nearest segment in [lo, hi), the fraction along it, the distance (m)."""
        here = np.array([lat, lon]) * self._scale
        start, step = self._start[lo:hi], self._step[lo:hi]
        rel = here - start
        t = np.clip((rel * step).sum(axis=1) / self._length2[lo:hi], 0.0, 1.0)
        gap = rel - step * t[:, None]
        dist2 = (gap**2).sum(axis=1)
        i = int(dist2.argmin())
        return lo + i, float(t[i]), math.sqrt(float(dist2[i]))

    def distance_m(self, lat: float, lon: float) -> float:
        """Metres from a point to the nearest point of the path."""
        return self._nearest(lat, lon)[2]

    def gap_m(self, lat: float, lon: float, enough_m: float) -> float:
        """Metres from a point to the path: exact when more than `enough_m`, else some distance
        of at most `enough_m` (searched near the point found last first, which is cheap)."""
        lo = max(0, self._hint - _WINDOW)
        i, _, gap = self._nearest(lat, lon, lo, self._hint + _WINDOW)
        if gap > enough_m:
            i, _, gap = self._nearest(lat, lon)
        self._hint = i
        return gap

    def between(self, a: LatLon, b: LatLon) -> list[LatLon]:
        """The path from the point nearest `a` to the point nearest `b` (forward along it)."""
        i, ti, _ = self._nearest(*a)
        j, tj, _ = self._nearest(*b)
        if (j, tj) < (i, ti):
            return [self._at(j, tj)]
        inner = [(float(p[0]), float(p[1])) for p in self.points[i + 1 : j + 1]]
        return [self._at(i, ti), *inner, self._at(j, tj)]

    def _at(self, index: int, t: float) -> LatLon:
        p = self.points[index] + (self.points[index + 1] - self.points[index]) * t
        return float(p[0]), float(p[1])
