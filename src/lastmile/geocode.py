"""`lastmile geocode prepare [--map FILE]`: index the map extract's addresses for orders."""

from __future__ import annotations

import argparse

from lastmile_common.geocoding.commands import add_prepare_arguments, prepare_command


def add_geocode_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`lastmile geocode prepare [--map FILE]`."""
    geocode = commands.add_parser("geocode", help="addresses: index the map's addresses")
    geocode_commands = geocode.add_subparsers(dest="geocode_command", required=True)
    add_prepare_arguments(
        geocode_commands.add_parser(
            "prepare", help="build the address index orders geocodes with (cached per extract)"
        )
    )


def cmd_geocode_prepare(args: argparse.Namespace) -> int:
    """Build (or find) the address index and print what it holds as JSON."""
    return prepare_command(args.map)
