"""The one routing interface the services use; adapters: in-process OSRM and OSRM over HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from lastmile_common.routing.traffic import TrafficModel
from lastmile_common.routing.types import Bounds, Point, Profile, RoadMatrix, RoadRoute, Snap


class Router(Protocol):
    """Road travel on one region's map. Calls block (CPU or network): from async code, run
    them in a worker thread. Departure times must carry a time zone; the traffic bucket is the
    one the departure falls in, in the region's local time."""

    @property
    def bounds(self) -> Bounds:
        """The rectangle the map covers."""
        ...

    @property
    def traffic(self) -> TrafficModel:
        """The region's time buckets and speed factors."""
        ...

    def matrix(self, points: Sequence[Point], departure: datetime, profile: Profile) -> RoadMatrix:
        """Durations and distances between every pair of points for legs departing at `departure`."""
        ...

    def route(self, stops: Sequence[Point], departure: datetime, profile: Profile) -> RoadRoute:
        """The road path through the stops in order, with its geometry, for a departure then."""
        ...

    def snap(self, point: Point, profile: Profile) -> Snap:
        """The nearest point on a road the profile may use, and how far away it is."""
        ...

    def close(self) -> None:
        """Release what the router holds (worker processes, connections)."""
        ...
