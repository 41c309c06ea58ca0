"""Cheap degree spans for bounding boxes (distances: lastmile_common.geo.haversine_m)."""

from __future__ import annotations

import math


def metres_to_lat_deg(metres: float) -> float:
    """How many degrees of latitude span `metres` (for cheap bounding boxes)."""
    return metres / 111_195.0


def metres_to_lon_deg(metres: float, lat: float) -> float:
    """How many degrees of longitude span `metres` at latitude `lat`."""
    return metres / (111_195.0 * max(0.01, math.cos(math.radians(lat))))
