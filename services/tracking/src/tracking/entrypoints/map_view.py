"""The customer's map: inline SVG (the route's roads, the home and the van) by default,
slippy-map tiles under it when a tile URL is configured."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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


def _world_px(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates at a zoom level."""
    scale = TILE * 2**zoom
    x = (lon + 180.0) / 360.0 * scale
    s = math.sin(math.radians(max(-85.0, min(85.0, lat))))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


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
) -> MapView:
    """Markers for the customer's address and (when shown) the vehicle, and the roads between
    them, centred in the frame."""
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
    return MapView(WIDTH, HEIGHT, markers, tuple(tiles), line)
