"""The infrastructure, `python -m orders` as its own process, and a tenant to load it with."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
from lastmile_common.db.migrations import migrate
from orders.adapters.tenants import create_tenant

from lastmile.infra.platform import Infrastructure, start_infrastructure
from lastmile.infra.ports import free_port

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
def orders_process(infra: Infrastructure) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`python -m orders` on a free port, as in production (one uvicorn process)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "ORDERS_HTTP_PORT": str(port),
        "ORDERS_LOG_LEVEL": "WARNING",
    }
    log = (STATE_DIR / "orders.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "orders"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        process.wait()
        log.close()


async def wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 90) -> None:
    """Wait until /readyz answers 200 (migrations applied, relay and consumers running)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"orders exited with {process.returncode}; see {STATE_DIR}/orders.log"
                )
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("orders did not become ready")


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
