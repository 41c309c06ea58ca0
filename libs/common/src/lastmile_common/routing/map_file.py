"""What lastmile reads of a map extract itself: its content hash and its bounds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import osmium

from lastmile_common.routing.types import Bounds, MapDataError


def extract_digest(extract: Path) -> str:
    """SHA-256 of the extract's bytes; an error naming the file if it cannot be read."""
    if not extract.is_file():
        raise MapDataError(f"the map extract {extract} does not exist")
    digest = hashlib.sha256()
    try:
        with extract.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise MapDataError(f"cannot read the map extract {extract}: {exc}") from exc
    return digest.hexdigest()


def read_bounds(extract: Path) -> Bounds:
    """The extract's bounding box: from its header, else from the positions of its nodes."""
    try:
        reader = osmium.io.Reader(str(extract), osmium.osm.osm_entity_bits.NOTHING)
        box = reader.header().box()
        reader.close()
        if box.valid():
            low, high = box.bottom_left, box.top_right
            return Bounds(min_lat=low.lat, min_lon=low.lon, max_lat=high.lat, max_lon=high.lon)
        return _node_bounds(extract)
    except RuntimeError as exc:
        raise MapDataError(f"the map extract {extract} is not a readable OSM file: {exc}") from exc


def _node_bounds(extract: Path) -> Bounds:
    """The rectangle around every located node (for extracts whose header has no box)."""
    lats: list[float] = []
    lons: list[float] = []
    for node in osmium.FileProcessor(str(extract), osmium.osm.NODE):
        if isinstance(node, osmium.osm.Node) and node.location.valid():
            lats.append(node.location.lat)
            lons.append(node.location.lon)
    if not lats:
        raise MapDataError(f"the map extract {extract} holds no located nodes")
    return Bounds(min_lat=min(lats), min_lon=min(lons), max_lat=max(lats), max_lon=max(lons))
