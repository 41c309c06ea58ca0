"""Roads: one routing interface (`Router`) and its adapters, OSRM in-process and over HTTP."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

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
    "server_url",
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
    return EmbeddedRouter(prepared)


def map_bounds(settings: RoutingSettings) -> Bounds:
    """The rectangle the map covers: `ROUTING_BOUNDS`, else read from the map file's header."""
    from lastmile_common.routing.map_file import read_bounds

    return settings.bounds or read_bounds(settings.map_file)


def _http_router(settings: RoutingSettings) -> Router:
    from lastmile_common.routing.http import HttpRouter

    urls = {
        (profile, bucket.name): server_url(settings.url_template, profile, bucket.name)
        for profile in settings.profiles
        for bucket in settings.traffic.buckets
    }
    return HttpRouter(
        urls, map_bounds(settings), settings.traffic, timeout_s=settings.http_timeout_s
    )


def server_url(template: str, profile: Profile, bucket: str) -> str:
    """The template filled in; `_` in the host becomes `-` (a DNS label, e.g. a Kubernetes
    Service name, cannot hold `_`, and bucket names like `morning_rush` do)."""
    parts = urlsplit(template.format(profile=profile.value, bucket=bucket))
    host = parts.hostname or ""
    netloc = parts.netloc.replace(host, host.replace("_", "-"), 1) if host else parts.netloc
    return urlunsplit(parts._replace(netloc=netloc))
