"""Drive a service app through a database outage and check how its API answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from lastmile.testing.apps import running_app
from lastmile.testing.tcp_proxy import TcpProxy

# (method, url, httpx request options)
Call = tuple[str, str, dict[str, Any]]


@dataclass
class OutageReport:
    """How the calls and /readyz answered before, during and after the outage."""

    during: list[httpx.Response] = field(default_factory=list)
    after: list[httpx.Response] = field(default_factory=list)
    ready_before: int = 0
    ready_during: int = 0
    ready_after: int = 0
    ready_after_s: float = 0.0


@asynccontextmanager
async def proxied_database(database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A cuttable proxy to the database and the URL that goes through it."""
    proxy = TcpProxy.for_url(database_url)
    await proxy.start()
    try:
        yield proxy, proxy.url(database_url)
    finally:
        await proxy.close()


async def _until_ready(client: httpx.AsyncClient, timeout_s: float) -> tuple[int, float]:
    """Poll /readyz until 200 or `timeout_s`: the last status and how long it took."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    while (status := (await client.get("/readyz")).status_code) != 200:
        if loop.time() - began > timeout_s:
            break
        await asyncio.sleep(0.1)
    return status, loop.time() - began


async def through_outage(
    make_app: Callable[[str], FastAPI], database_url: str, calls: list[Call]
) -> OutageReport:
    """Start the app on a proxied database, make `calls` during a cut and after the restore."""
    report = OutageReport()
    async with (
        proxied_database(database_url) as (proxy, url),
        running_app(make_app(url)) as app,
    ):
        client = app.client
        # Ready before the cut (the planner is not until its solver has warmed up).
        report.ready_before, _ = await _until_ready(client, 60)
        await proxy.cut()
        report.during = [await client.request(m, u, **options) for m, u, options in calls]
        report.ready_during = (await client.get("/readyz")).status_code
        await proxy.restore()
        report.ready_after, report.ready_after_s = await _until_ready(client, 20)
        report.after = [await client.request(m, u, **options) for m, u, options in calls]
    return report


def assert_unavailable_then_back(report: OutageReport) -> None:
    """503 problem+json with Retry-After during the outage, readiness following, and no 5xx
    once the database is back."""
    for response in report.during:
        assert response.status_code == 503, (response.request.url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) > 0
    assert (report.ready_before, report.ready_during, report.ready_after) == (200, 503, 200)
    for response in report.after:
        assert response.status_code < 500, (response.request.url, response.text)
