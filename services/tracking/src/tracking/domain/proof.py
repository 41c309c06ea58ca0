"""Proof of delivery checks."""

from __future__ import annotations

from lastmile_common.geo import haversine_m


def distance_check(
    stop_lat: float, stop_lon: float, lat: float, lon: float, far_m: float
) -> tuple[float, bool]:
    """Distance from the address to where the driver completed, and whether it is too far."""
    distance = haversine_m(stop_lat, stop_lon, lat, lon)
    return round(distance, 1), distance > far_m
