"""The tracking app running in-process on the real broker and database, also on a real port."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from lastmile_common.api_keys import issue
from tracking.bootstrap import create_app
from tracking.settings import TrackingSettings

from lastmile.infra.platform import Infrastructure

SECRET = "dev-api-key-secret-change-me"


@dataclass
class TrackingApp:
    """The running app, an HTTP client on it, and its real base URL (for a browser)."""

    app: FastAPI
    client: httpx.AsyncClient
    base_url: str

    @property
    def tracker(self) -> Any:
        return self.app.state.tracker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
async def tracking(infra: Infrastructure) -> AsyncIterator[TrackingApp]:
    """The tracking app with its consumers, relay and ping writer running."""
    settings = TrackingSettings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        consumer_backoff_initial_s=0.05,
        consumer_max_attempts=3,
        ping_flush_interval_s=0.1,
        outbox_poll_interval_s=0.05,
    )
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="off", log_config=None, access_log=False
        )
    )
    async with app.router.lifespan_context(app):
        task = asyncio.create_task(server.serve())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tracking") as client:
            yield TrackingApp(app, client, f"http://127.0.0.1:{port}")
        server.should_exit = True
        await task


def new_tenant() -> tuple[str, dict[str, str]]:
    """A fresh tenant id and headers with its API key."""
    tenant = uuid.uuid4().hex
    return tenant, {"Authorization": f"Bearer {issue(SECRET, tenant).raw}"}


async def wait_until(predicate: Any, timeout: float = 20.0) -> None:
    """Poll until `predicate()` is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
