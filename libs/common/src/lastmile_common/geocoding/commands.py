"""The `prepare` command of `lastmile geocode prepare` and `python -m lastmile_common.geocoding
prepare` (in every service image, for a Kubernetes Job)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lastmile_common.geocoding.prepare import prepare_index
from lastmile_common.geocoding.settings import GeocodingSettings
from lastmile_common.routing.types import MapDataError


def prepare_command(map_file: Path | None) -> int:
    """Build (or find) the extract's address index and print what it holds as one JSON line."""
    settings = GeocodingSettings()
    extract = map_file or settings.map_file
    try:
        prepared = prepare_index(extract, settings.cache_dir)
    except (MapDataError, RuntimeError) as exc:
        print(f"lastmile: cannot index the addresses of {extract}: {exc}", file=sys.stderr)
        return 2
    index = prepared.index
    summary = {
        "extract": str(extract),
        "sha256": prepared.sha256,
        "index": str(prepared.path),
        "prepared_seconds": None if prepared.seconds is None else round(prepared.seconds, 3),
        "countries": list(index.countries),
        "towns": len(index.towns),
        "postcodes": len(index.postcodes),
        "streets": len(index.streets),
        "houses": sum(len(spots) for spots in index.houses.values()),
        "attribution": "© OpenStreetMap contributors",
    }
    print(json.dumps(summary))
    return 0


def add_prepare_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `prepare`."""
    parser.add_argument(
        "--map", type=Path, default=None, help="an .osm.pbf extract (default: GEOCODING_MAP_FILE)"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m lastmile_common.geocoding`."""
    parser = argparse.ArgumentParser(prog="python -m lastmile_common.geocoding")
    commands = parser.add_subparsers(dest="command", required=True)
    add_prepare_arguments(commands.add_parser("prepare", help="index the extract's addresses"))
    args = parser.parse_args(argv)
    return prepare_command(args.map)
