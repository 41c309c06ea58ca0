"""The `prepare` command, shared by `lastmile routing prepare` and
`python -m lastmile_common.routing prepare` (in every service image, for a Kubernetes Job)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lastmile_common.routing.prepare import PreparedMap, point_current, prepare_map
from lastmile_common.routing.settings import RoutingSettings
from lastmile_common.routing.types import RoutingError


def prepare_roads(settings: RoutingSettings) -> PreparedMap:
    """Prepare every dataset the settings need (a no-op for an unchanged, prepared map), and
    point `current/<profile>/<bucket>` in the cache at them."""
    prepared = prepare_map(
        settings.map_file, settings.traffic, settings.profiles, settings.cache_dir
    )
    point_current(prepared, settings.cache_dir)
    return prepared


def describe(prepared: PreparedMap) -> dict[str, object]:
    """The prepared map as JSON-ready data."""
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


def prepare_command(map_file: Path | None) -> int:
    """Prepare the map's datasets into the cache and print them as one JSON line."""
    settings = RoutingSettings()
    if map_file is not None:
        settings = settings.model_copy(update={"map_file": map_file})
    try:
        prepared = prepare_roads(settings)
    except RoutingError as exc:
        print(f"lastmile: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(describe(prepared)))
    return 0


def add_prepare_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `prepare`."""
    parser.add_argument(
        "--map", type=Path, default=None, help="an .osm.pbf extract (default: ROUTING_MAP_FILE)"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m lastmile_common.routing`."""
    parser = argparse.ArgumentParser(prog="python -m lastmile_common.routing")
    commands = parser.add_subparsers(dest="command", required=True)
    add_prepare_arguments(commands.add_parser("prepare", help="extract and contract (cached)"))
    args = parser.parse_args(argv)
    return prepare_command(args.map)
