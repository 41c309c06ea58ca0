"""Roads: one routing interface (`Router`) and its adapters, OSRM in-process and over HTTP."""

from __future__ import annotations

from lastmile_common.routing.protocol import Router
from lastmile_common.routing.settings import RoutingSettings
from lastmile_common.routing.traffic import DEFAULT_BUCKETS, RoadClass, TimeBucket, TrafficModel
from lastmile_common.routing.types import (
    Bounds,
    Leg,
    MapDataError,
    Point,
    Profile,
    RoadMatrix,
    RoadRoute,
    RoutingError,
    Snap,
)
from lastmile_common.routing.worst_case import worst_case_matrix

__all__ = [
    "DEFAULT_BUCKETS",
    "Bounds",
    "Leg",
    "MapDataError",
    "Point",
    "Profile",
    "RoadClass",
    "RoadMatrix",
    "RoadRoute",
    "Router",
    "RoutingError",
    "RoutingSettings",
    "Snap",
    "TimeBucket",
    "TrafficModel",
    "map_bounds",
    "open_router",
    "worst_case_matrix",
]


def open_router(settings: RoutingSettings) -> Router:
    """The router the settings ask for; the embedded one prepares its map first (cached)."""
    if settings.backend == "http":
        return _http_router(settings)
    from lastmile_common.routing.embedded import EmbeddedRouter
    from lastmile_common.routing.prepare import prepare_map

    prepared = prepare_map(
        settings.map_file, settings.traffic, settings.profiles, settings.cache_dir
    )
    return EmbeddedRouter(prepared, settings.table_worker_count())


def map_bounds(settings: RoutingSettings) -> Bounds:
    """The rectangle the map covers: `ROUTING_BOUNDS`, else read from the map file's header."""
    from lastmile_common.routing.map_file import read_bounds

    return settings.bounds or read_bounds(settings.map_file)


def _http_router(settings: RoutingSettings) -> Router:
    from lastmile_common.routing.http import HttpRouter

    urls = {
        # A bucket's `_` is written `-` in the URL: host names (Kubernetes Services) have no `_`.
        (profile, bucket.name): settings.url_template.format(
            profile=profile.value, bucket=bucket.name.replace("_", "-")
        )
        for profile in settings.profiles
        for bucket in settings.traffic.buckets
    }
    return HttpRouter(
        urls, map_bounds(settings), settings.traffic, timeout_s=settings.http_timeout_s
    )
