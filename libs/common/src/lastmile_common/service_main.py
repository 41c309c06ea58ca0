"""The command line of every service process: `python -m <service> [serve|migrate]`."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from fastapi import FastAPI

from lastmile_common.db.migrations import migrate
from lastmile_common.http.app import serve
from lastmile_common.logging import configure_logging
from lastmile_common.settings import ServiceSettings
from lastmile_common.telemetry import configure_tracing


async def migrate_schema(settings: ServiceSettings, schema: str, package: str) -> list[str]:
    """Apply a service's migrations once and return what was applied (Kubernetes Job, CLI)."""
    conn = await asyncpg.connect(settings.require_database_url())
    try:
        return await migrate(conn, schema, package)
    finally:
        await conn.close()


_APP_FACTORY_ENV = "LASTMILE_APP_FACTORY"
_SETTINGS_FACTORY_ENV = "LASTMILE_SETTINGS_FACTORY"
_SERVICE_ENV = "LASTMILE_SERVICE"


def _qualified(obj: Callable[..., object]) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def app_from_environment() -> FastAPI:
    """The app of a uvicorn worker process: factories named by the parent's environment."""
    settings = _resolve(os.environ[_SETTINGS_FACTORY_ENV])()
    service = os.environ.get(_SERVICE_ENV, "service")
    configure_logging(service, settings.log_level)
    configure_tracing(service, settings.otel_exporter_otlp_endpoint)
    return _resolve(os.environ[_APP_FACTORY_ENV])(settings)  # type: ignore[no-any-return]


def run_service[S: ServiceSettings](
    service: str,
    settings_factory: Callable[[], S],
    app_factory: Callable[[S], FastAPI],
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
    if settings.http_workers > 1:
        # Several processes share the port; each runs its own consumers (same group) and relay
        # (one leads per schema), so the platform behaves as with several replicas.
        os.environ[_APP_FACTORY_ENV] = _qualified(app_factory)
        os.environ[_SETTINGS_FACTORY_ENV] = _qualified(settings_factory)
        os.environ[_SERVICE_ENV] = service
        serve(service, settings, "lastmile_common.service_main:app_from_environment")
        return
    serve(service, settings, app_factory(settings))
