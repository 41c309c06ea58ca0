"""The customer's map: inline SVG (the streets of the platform's own map extract, the route's
roads, the home and the van) by default, slippy-map tiles under it when a tile URL is
configured."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lastmile_common.basemap import RoadLine

WIDTH, HEIGHT, TILE = 360, 240, 256


@dataclass(frozen=True)
class Marker:
    """A point drawn on the map, in pixels."""

    x: float
    y: float
    kind: str  # "home" or "vehicle"


@dataclass(frozen=True)
class MapView:
    """What the template draws: markers, and tiles (url, left, top) when configured."""

    width: int
    height: int
    markers: tuple[Marker, ...]
    tiles: tuple[tuple[str, int, int], ...] = ()
    road: str = ""  # SVG polyline points ("x,y x,y ..."): the route's roads to the customer
    # The streets in the frame from the platform's own map extract: (class, SVG points).
    streets: tuple[tuple[str, str], ...] = ()


def _world_px(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates at a zoom level."""
    scale = TILE * 2**zoom
    x = (lon + 180.0) / 360.0 * scale
    s = math.sin(math.radians(max(-85.0, min(85.0, lat))))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def _latlon(x: float, y: float, zoom: int) -> tuple[float, float]:
    """The inverse of `_world_px`."""
    scale = TILE * 2**zoom
    lon = x / scale * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lat, lon


def _streets(
    lines: Sequence[RoadLine], zoom: int, left: float, top: float
) -> tuple[tuple[str, str], ...]:
    """The streets crossing the frame, in its pixels (major roads last: drawn on top)."""
    north, west = _latlon(left, top, zoom)
    south, east = _latlon(left + WIDTH, top + HEIGHT, zoom)
    out: list[tuple[str, str]] = []
    for line in lines:
        if line.crosses(south, west, north, east):
            px = (_world_px(lat, lon, zoom) for lat, lon in line.points)
            out.append((line.kind, " ".join(f"{x - left:.1f},{y - top:.1f}" for x, y in px)))
    order = {"service": 0, "minor": 1, "major": 2}
    return tuple(sorted(out, key=lambda street: order.get(street[0], 1)))


def _zoom_to_fit(points: list[tuple[float, float]]) -> int:
    for zoom in range(17, 1, -1):
        px = [_world_px(lat, lon, zoom) for lat, lon in points]
        xs, ys = [p[0] for p in px], [p[1] for p in px]
        if max(xs) - min(xs) < WIDTH * 0.8 and max(ys) - min(ys) < HEIGHT * 0.8:
            return zoom
    return 2


def build_map(
    home: tuple[float, float],
    vehicle: tuple[float, float] | None,
    tile_url: str | None,
    road: Sequence[tuple[float, float]] = (),
    streets: Sequence[RoadLine] = (),
) -> MapView:
    """Markers for the customer's address and (when shown) the vehicle, and the roads between
    them, centred in the frame, over the `streets` of the map extract that cross it."""
    points = [home] + ([vehicle] if vehicle else [])
    zoom = _zoom_to_fit(points + list(road))
    px = [_world_px(lat, lon, zoom) for lat, lon in points + list(road)]
    cx = (min(p[0] for p in px) + max(p[0] for p in px)) / 2
    cy = (min(p[1] for p in px) + max(p[1] for p in px)) / 2
    left, top = cx - WIDTH / 2, cy - HEIGHT / 2
    kinds = ["home", "vehicle"]
    markers = tuple(
        Marker(round(x - left, 1), round(y - top, 1), kinds[i])
        for i, (x, y) in enumerate(px[: len(points)])
    )
    line = " ".join(f"{x - left:.1f},{y - top:.1f}" for x, y in px[len(points) :])
    tiles: list[tuple[str, int, int]] = []
    if tile_url:
        n = 2**zoom
        for tx in range(int(left // TILE), int((left + WIDTH) // TILE) + 1):
            for ty in range(int(top // TILE), int((top + HEIGHT) // TILE) + 1):
                if 0 <= ty < n:
                    url = tile_url.format(z=zoom, x=tx % n, y=ty)
                    tiles.append((url, int(tx * TILE - left), int(ty * TILE - top)))
    drawn = _streets(streets, zoom, left, top)
    return MapView(WIDTH, HEIGHT, markers, tuple(tiles), line, drawn)
