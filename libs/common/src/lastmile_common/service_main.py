"""The command line of every service process: `python -m <service> [serve|migrate]`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence

import asyncpg
from fastapi import FastAPI

from lastmile_common.db.migrations import migrate
from lastmile_common.http.app import serve
from lastmile_common.settings import ServiceSettings


async def migrate_schema(settings: ServiceSettings, schema: str, package: str) -> list[str]:
    """Apply a service's migrations once and return what was applied (Kubernetes Job, CLI)."""
    conn = await asyncpg.connect(settings.require_database_url())
    try:
        return await migrate(conn, schema, package)
    finally:
        await conn.close()


def run_service(
    service: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations_package: str,
    argv: Sequence[str] | None = None,
) -> None:
    """Parse the service command line and serve or migrate."""
    parser = argparse.ArgumentParser(prog=f"lastmile-{service}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    settings = settings_factory()
    if args.command == "migrate":
        applied = asyncio.run(migrate_schema(settings, service, migrations_package))
        print(f"{service}: applied {len(applied)} migration(s): {', '.join(applied) or 'none'}")
        return
    serve(service, settings, app_factory(settings))
