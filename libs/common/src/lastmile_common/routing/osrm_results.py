"""OSRM answers (the bindings' objects or osrm-routed's JSON, both read by key) into our types."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from lastmile_common.routing.types import (
    Leg,
    Point,
    RoadMatrix,
    RoadRoute,
    RoutingError,
    Snap,
)


def lon_lat(points: Sequence[Point]) -> list[tuple[float, float]]:
    """Points in OSRM's coordinate order (longitude first)."""
    return [(p.lon, p.lat) for p in points]


def check_ok(result: Any) -> None:
    """Raise RoutingError unless OSRM answered `Ok`."""
    code = result["code"]
    if code != "Ok":
        # The bindings' result objects have no .get()
        message = result["message"] if "message" in result else ""  # noqa: SIM401
        raise RoutingError(f"{code}: {message}".rstrip(": "))


def flat_rows(rows: Iterable[Iterable[float | None]]) -> array[float]:
    """Rows of a table into one row-major array; OSRM's null (no route) becomes inf."""
    out: array[float] = array("d")
    for row in rows:
        values = list(row)
        try:
            out.fromlist(values)  # type: ignore[arg-type]  # fast; leaves `out` as it was on error
        except TypeError:  # a null in this row
            out.fromlist([math.inf if value is None else float(value) for value in values])
    return out


def matrix_from_table(result: Any, size: int, bucket: str) -> RoadMatrix:
    """A Table answer with durations and distances as a RoadMatrix."""
    check_ok(result)
    durations, distances = flat_rows(result["durations"]), flat_rows(result["distances"])
    if len(durations) != size * size or len(distances) != size * size:
        raise RoutingError(f"the engine answered a table of the wrong size for {size} points")
    snap_m = tuple(float(w["distance"]) for w in result["sources"])
    return RoadMatrix(size, durations, distances, snap_m, bucket)


def route_from_result(result: Any, bucket: str) -> RoadRoute:
    """The first route of a Route answer (full overview, precision-5 polyline)."""
    check_ok(result)
    route = result["routes"][0]
    legs = tuple(Leg(float(leg["duration"]), float(leg["distance"])) for leg in route["legs"])
    return RoadRoute(
        polyline=str(route["geometry"]),
        duration_s=float(route["duration"]),
        distance_m=float(route["distance"]),
        legs=legs,
        bucket=bucket,
    )


def snap_from_nearest(result: Any, point: Point) -> Snap:
    """The first waypoint of a Nearest answer as a Snap."""
    check_ok(result)
    waypoint = result["waypoints"][0]
    lon, lat = waypoint["location"]
    return Snap(
        point=point,
        road_point=Point(float(lat), float(lon)),
        distance_m=float(waypoint["distance"]),
        road_name=str(waypoint["name"]),
    )
