"""The in-process adapter: OSRM's engine (contraction hierarchies) on the prepared datasets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import osrm

from lastmile_common.routing.osrm_engine import call, load_engine, table_parameters
from lastmile_common.routing.osrm_results import (
    lon_lat,
    matrix_from_table,
    route_from_result,
    snap_from_nearest,
)
from lastmile_common.routing.prepare import PreparedMap
from lastmile_common.routing.table_workers import PARALLEL_FROM, TableWorkers, TableWorkersBroken
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


class EmbeddedRouter:
    """Road matrices, routes and snapping from OSRM in this process (one engine per dataset);
    with `table_workers` (two or more), tables of PARALLEL_FROM points or more are shared out to
    that many worker processes by rows."""

    def __init__(self, prepared: PreparedMap, table_workers: int = 0) -> None:
        self._prepared = prepared
        self._workers = TableWorkers(table_workers) if table_workers > 1 else None
        engines: dict[Path, osrm.OSRM] = {}
        self._engines: dict[tuple[Profile, str], osrm.OSRM] = {}
        for key, dataset in prepared.datasets.items():
            if dataset.path not in engines:
                engines[dataset.path] = load_engine(dataset.path)
            self._engines[key] = engines[dataset.path]

    @property
    def bounds(self) -> Bounds:
        """The rectangle the map covers."""
        return self._prepared.bounds

    @property
    def traffic(self) -> TrafficModel:
        """The region's time buckets and speed factors."""
        return self._prepared.traffic

    @property
    def profiles(self) -> frozenset[Profile]:
        """The vehicle profiles prepared."""
        return frozenset(profile for profile, _ in self._engines)

    def matrix(self, points: Sequence[Point], departure: datetime, profile: Profile) -> RoadMatrix:
        """Durations and distances between every pair of points for legs departing at `departure`."""
        check_points(points, 1)
        bucket, engine = self._pick(departure, profile)
        coordinates = lon_lat(points)
        if self._workers is not None and len(points) >= PARALLEL_FROM:
            try:
                path = self._prepared.datasets[profile, bucket].path
                durations, distances, snap_m = self._workers.table(path, coordinates)
                return RoadMatrix(len(points), durations, distances, snap_m, bucket)
            except TableWorkersBroken:
                pass  # a worker died: this table in this process, the next one on new workers
        params = table_parameters(coordinates)
        return matrix_from_table(call(engine.Table, params), len(points), bucket)

    def route(self, stops: Sequence[Point], departure: datetime, profile: Profile) -> RoadRoute:
        """The road path through the stops in order, with its geometry, for a departure then."""
        check_points(stops, 2)
        bucket, engine = self._pick(departure, profile)
        # continue_straight off: a stop may be left in either direction, as the matrix assumes.
        params = osrm.RouteParameters(
            coordinates=lon_lat(stops),
            overview="full",
            geometries="polyline",
            continue_straight=False,
        )
        return route_from_result(call(engine.Route, params), bucket)

    def snap(self, point: Point, profile: Profile) -> Snap:
        """The nearest point on a road the profile may use, and how far away it is."""
        check_points([point], 1)
        engine = self._engine_for(profile, self.traffic.ordered()[0].name)
        params = osrm.NearestParameters(coordinates=lon_lat([point]))
        return snap_from_nearest(call(engine.Nearest, params), point)

    def _pick(self, departure: datetime, profile: Profile) -> tuple[str, osrm.OSRM]:
        bucket = self.traffic.bucket_at(departure).name
        return bucket, self._engine_for(profile, bucket)

    def _engine_for(self, profile: Profile, bucket: str) -> osrm.OSRM:
        engine = self._engines.get((profile, bucket))
        if engine is None:
            raise RoutingError(f"no road data prepared for profile {profile.value}")
        return engine

    def close(self) -> None:
        """Stop the table workers, if any ran."""
        if self._workers is not None:
            self._workers.close()
