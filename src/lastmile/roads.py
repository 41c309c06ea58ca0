"""`lastmile routing prepare`, and the same preparation at `lastmile up`: roads before services."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from lastmile_common.routing import MapDataError, RoutingError, RoutingSettings
from lastmile_common.routing.prepare import PreparedMap, prepare_map


def prepare_roads(settings: RoutingSettings) -> PreparedMap:
    """Prepare every dataset the settings need (a no-op for an unchanged, prepared map)."""
    return prepare_map(settings.map_file, settings.traffic, settings.profiles, settings.cache_dir)


def describe(prepared: PreparedMap) -> dict[str, object]:
    """The prepared map as JSON-ready data (what `lastmile routing prepare` prints)."""
    b = prepared.bounds
    return {
        "extract": str(prepared.extract),
        "sha256": prepared.sha256,
        "bounds": [b.min_lat, b.min_lon, b.max_lat, b.max_lon],
        "timezone": prepared.traffic.timezone,
        "datasets": [
            {
                "profile": profile.value,
                "bucket": bucket,
                "path": str(dataset.path),
                "prepared_seconds": dataset.seconds,  # null: found in the cache
            }
            for (profile, bucket), dataset in prepared.datasets.items()
        ],
        "attribution": "© OpenStreetMap contributors",
    }


def cmd_routing_prepare(args: argparse.Namespace) -> int:
    """Prepare the map's datasets into the cache and print what is there as JSON."""
    overrides = {"map_file": args.map} if args.map else {}
    try:
        prepared = prepare_roads(RoutingSettings(**overrides))
    except RoutingError as exc:
        print(f"lastmile: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(describe(prepared)))
    return 0


def prepare_at_start() -> bool:
    """Prepare the embedded engine's roads before anything starts; False (and why) if it cannot."""
    settings = RoutingSettings()
    if settings.backend != "embedded":
        return True
    print(f"lastmile: preparing roads from {settings.map_file} ...", flush=True)
    started = time.perf_counter()
    try:
        prepared = prepare_roads(settings)
    except MapDataError as exc:
        print(f"lastmile: cannot start: {exc}", file=sys.stderr)
        return False
    fresh = len({d.path for d in prepared.datasets.values() if d.seconds is not None})
    seconds = time.perf_counter() - started
    print(f"lastmile: roads ready ({fresh} datasets prepared now, {seconds:.1f} s)", flush=True)
    return True


def add_routing_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`lastmile routing prepare [--map FILE]`."""
    routing = commands.add_parser("routing", help="road network: prepare the map's datasets")
    routing_commands = routing.add_subparsers(dest="routing_command", required=True)
    prepare = routing_commands.add_parser(
        "prepare", help="extract and contract the map per profile and time bucket (cached)"
    )
    prepare.add_argument(
        "--map", type=Path, default=None, help="an .osm.pbf extract (default: ROUTING_MAP_FILE)"
    )
