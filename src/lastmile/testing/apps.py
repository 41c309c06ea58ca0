"""A service's app running in-process for tests: its lifespan entered, a client on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from lastmile.infra.ports import free_port


@dataclass(frozen=True)
class RunningApp:
    """The app whose lifespan (pool, relay, consumers) runs, and an HTTP client on it.

    `url` is a real address on 127.0.0.1 when the app was started with `serve=True` (for a
    browser or another process), else None.
    """

    app: FastAPI
    client: httpx.AsyncClient
    url: str | None = None

    @property
    def state(self) -> Any:
        """The app's state (its runtime, and what the service's bootstrap put there)."""
        return self.app.state


@asynccontextmanager
async def running_app(
    app: FastAPI, *, base_url: str = "http://test", serve: bool = False
) -> AsyncIterator[RunningApp]:
    """Enter `app`'s lifespan, yield a client on it (and a real port with `serve`), then stop."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            if not serve:
                yield RunningApp(app, client)
                return
            port = free_port()
            config = uvicorn.Config(
                app, host="127.0.0.1", port=port, lifespan="off", log_config=None, access_log=False
            )
            server = uvicorn.Server(config)
            task = asyncio.create_task(server.serve())
            try:
                yield RunningApp(app, client, f"http://127.0.0.1:{port}")
            finally:
                server.should_exit = True
                await task
