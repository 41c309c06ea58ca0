"""Great-circle geometry on WGS84 degrees, in metres."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def metres_to_lat_deg(metres: float) -> float:
    """How many degrees of latitude span `metres` (for cheap bounding boxes)."""
    return metres / 111_195.0


def metres_to_lon_deg(metres: float, lat: float) -> float:
    """How many degrees of longitude span `metres` at latitude `lat`."""
    return metres / (111_195.0 * max(0.01, math.cos(math.radians(lat))))
