"""`lastmile routing prepare`, and the same preparation at `lastmile up`: roads before services."""

from __future__ import annotations

import argparse
import sys
import time

from lastmile_common.routing import MapDataError, RoutingSettings
from lastmile_common.routing.commands import add_prepare_arguments, prepare_command, prepare_roads


def cmd_routing_prepare(args: argparse.Namespace) -> int:
    """Prepare the map's datasets into the cache and print what is there as JSON."""
    return prepare_command(args.map)


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
    print(
        f"lastmile: roads ready ({fresh} datasets prepared now, {seconds:.1f} s;"
        " map data © OpenStreetMap contributors)",
        flush=True,
    )
    return True


def add_routing_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`lastmile routing prepare [--map FILE]`."""
    routing = commands.add_parser("routing", help="road network: prepare the map's datasets")
    routing_commands = routing.add_subparsers(dest="routing_command", required=True)
    add_prepare_arguments(
        routing_commands.add_parser(
            "prepare", help="extract and contract the map per profile and time bucket (cached)"
        )
    )
