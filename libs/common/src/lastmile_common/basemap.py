"""A street map's base layer read from the map extract (osmium): roads as polylines by class,
for pages that draw their own map instead of loading tiles from an outside server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import osmium

ATTRIBUTION = "© OpenStreetMap contributors"
ATTRIBUTION_URL = "https://www.openstreetmap.org/copyright"

# OSM highway values drawn, and the class a page styles them by (links with their road).
KINDS: dict[str, str] = {
    "motorway": "major",
    "trunk": "major",
    "primary": "major",
    "secondary": "major",
    "tertiary": "minor",
    "unclassified": "minor",
    "residential": "minor",
    "living_street": "minor",
    "service": "service",
}


@dataclass(frozen=True, slots=True)
class RoadLine:
    """One road of the base layer: its class and its points (lat, lon; 5 decimals)."""

    kind: str
    points: tuple[tuple[float, float], ...]

    def crosses(self, south: float, west: float, north: float, east: float) -> bool:
        """Whether the road's bounding box meets a rectangle (cheap: before projecting it)."""
        lats = [p[0] for p in self.points]
        lons = [p[1] for p in self.points]
        return min(lats) <= north and max(lats) >= south and min(lons) <= east and max(lons) >= west


class _Roads(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[RoadLine] = []

    def way(self, way: Any) -> None:
        highway = way.tags.get("highway", "")
        kind = KINDS.get(highway.removesuffix("_link"))
        if kind is None:
            return
        points = tuple((round(n.lat, 5), round(n.lon, 5)) for n in way.nodes if n.location.valid())
        if len(points) >= 2:
            self.lines.append(RoadLine(kind, _thin(points)))


def _thin(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    """Drop points that repeat the one before (rounding merges close nodes)."""
    out = [points[0]]
    for point in points[1:]:
        if point != out[-1]:
            out.append(point)
    return tuple(out) if len(out) >= 2 else (points[0], points[-1])


@cache
def road_lines(extract: Path) -> tuple[RoadLine, ...]:
    """Every drawn road of an extract (read once per process: about a second for a country)."""
    handler = _Roads()
    handler.apply_file(str(extract), locations=True)
    return tuple(handler.lines)


def layer(lines: Iterable[RoadLine]) -> dict[str, Any]:
    """The base layer as JSON for a page: the roads `lines` (e.g. `road_lines(extract)`) by
    class, and the attribution it must show."""
    return {
        "attribution": ATTRIBUTION,
        "attribution_url": ATTRIBUTION_URL,
        "roads": [{"kind": r.kind, "points": r.points} for r in lines],
    }
