"""The infrastructure, `python -m orders` as its own process, and a tenant to load it with."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from lastmile_common.db.migrations import migrate
from orders.adapters.tenants import create_tenant

from lastmile.infra.platform import Infrastructure, start_infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.processes import service_process

STATE_DIR = Path(".lastmile/bench-orders")
DEV_SECRET = "dev-api-key-secret-change-me"


@contextmanager
def infrastructure() -> Iterator[Infrastructure]:
    """Embedded broker and PostgreSQL (fresh database) for the run, stopped afterwards."""
    infra = start_infrastructure(STATE_DIR, fresh_database=True)
    try:
        yield infra
    finally:
        infra.stop()


@contextmanager
def orders_process(
    infra: Infrastructure, workers: int = 1
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`python -m orders` on a free port, as in production (`workers` uvicorn processes)."""
    port = free_port()
    with (
        (STATE_DIR / "orders.log").open("ab") as log,
        service_process(
            "orders",
            infra,
            port,
            settings={"HTTP_WORKERS": str(workers)},
            output=log,
            graceful=True,
        ) as process,
    ):
        yield process, port


async def new_tenant(database_url: str, name: str) -> tuple[str, str]:
    """A fresh tenant and its API key (the service has migrated the schema already)."""
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "orders"})
    try:
        await migrate(conn, "orders", "orders.migrations")
        return await create_tenant(
            conn, name, os.environ.get("LASTMILE_API_KEY_SECRET", DEV_SECRET)
        )
    finally:
        await conn.close()
