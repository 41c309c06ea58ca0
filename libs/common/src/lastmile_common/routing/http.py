"""The OSRM-over-HTTP adapter: osrm-routed servers, one per (profile, time bucket) dataset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from lastmile_common.routing.osrm_results import (
    matrix_from_table,
    route_from_result,
    snap_from_nearest,
)
from lastmile_common.routing.traffic import TrafficModel
from lastmile_common.routing.types import (
    Bounds,
    Point,
    Profile,
    RoadMatrix,
    RoadRoute,
    RoutingError,
    Snap,
    check_points,
)


def _coordinates(points: Sequence[Point]) -> str:
    # repr: the shortest text that reads back as the same float, so the server sees exactly
    # the coordinates the in-process engine would.
    return ";".join(f"{p.lon!r},{p.lat!r}" for p in points)


class HttpRouter:
    """Road matrices, routes and snapping from osrm-routed (e.g. the Kubernetes routing pods).

    `urls[(profile, bucket)]` is the base URL of the server holding that dataset. osrm-routed
    must allow tables as large as the biggest matrix asked for (`--max-table-size`).
    """

    def __init__(
        self,
        urls: Mapping[tuple[Profile, str], str],
        bounds: Bounds,
        traffic: TrafficModel,
        *,
        timeout_s: float = 30.0,
    ) -> None:
        self._urls = {key: url.rstrip("/") for key, url in urls.items()}
        self._bounds = bounds
        self._traffic = traffic
        self._client = httpx.Client(timeout=timeout_s)

    @property
    def bounds(self) -> Bounds:
        """The rectangle the map covers."""
        return self._bounds

    @property
    def traffic(self) -> TrafficModel:
        """The region's time buckets and speed factors."""
        return self._traffic

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def matrix(self, points: Sequence[Point], departure: datetime, profile: Profile) -> RoadMatrix:
        """Durations and distances between every pair of points for legs departing at `departure`."""
        check_points(points, 1)
        bucket = self.traffic.bucket_at(departure).name
        result = self._get(profile, bucket, "table", points, {"annotations": "duration,distance"})
        return matrix_from_table(result, len(points), bucket)

    def route(self, stops: Sequence[Point], departure: datetime, profile: Profile) -> RoadRoute:
        """The road path through the stops in order, with its geometry, for a departure then."""
        check_points(stops, 2)
        bucket = self.traffic.bucket_at(departure).name
        options = {"overview": "full", "geometries": "polyline", "continue_straight": "false"}
        return route_from_result(self._get(profile, bucket, "route", stops, options), bucket)

    def snap(self, point: Point, profile: Profile) -> Snap:
        """The nearest point on a road the profile may use, and how far away it is."""
        check_points([point], 1)
        bucket = self.traffic.ordered()[0].name
        return snap_from_nearest(self._get(profile, bucket, "nearest", [point], {}), point)

    def _get(
        self,
        profile: Profile,
        bucket: str,
        service: str,
        points: Sequence[Point],
        options: dict[str, str],
    ) -> Any:
        base = self._urls.get((profile, bucket))
        if base is None:
            raise RoutingError(f"no routing server configured for {profile.value}/{bucket}")
        url = f"{base}/{service}/v1/{profile.value}/{_coordinates(points)}"
        try:
            response = self._client.get(url, params=options)
        except httpx.HTTPError as exc:
            raise RoutingError(f"routing server {base} did not answer: {exc}") from exc
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()  # OSRM's own errors (400) carry a code and a message
        raise RoutingError(f"routing server {base} answered {response.status_code}")
