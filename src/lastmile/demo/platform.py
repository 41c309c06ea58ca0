"""Where the running platform is (`.lastmile/run.json`) and authenticated HTTP clients to it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


class PlatformNotRunning(RuntimeError):
    """No run.json: `lastmile up` is not running (or runs from another folder)."""


@dataclass(frozen=True)
class Platform:
    """The addresses a run published."""

    services: dict[str, str]
    kafka_bootstrap: str
    database_url: str
    console: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_run_file(cls, path: Path) -> Platform:
        """Read run.json, or raise PlatformNotRunning."""
        try:
            run = json.loads(path.read_text())
        except FileNotFoundError:
            raise PlatformNotRunning(
                f"{path} not found: start the platform with `lastmile up`"
            ) from None
        return cls(
            services=dict(run["services"]),
            kafka_bootstrap=run["kafka_bootstrap"],
            database_url=run["database_url"],
            console=run.get("console"),
        )

    def has(self, service: str) -> bool:
        """True if the service runs in this platform."""
        return service in self.services

    def client(self, service: str, api_key: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An HTTP client for one service, with the tenant's key if given."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.AsyncClient(
            base_url=self.services[service], headers=headers, timeout=60.0, **kwargs
        )


def check(response: httpx.Response) -> Any:
    """The JSON body of a successful response; a readable error (problem+json) otherwise."""
    if response.status_code >= 400:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
    return response.json() if response.content else None


async def retrying_unavailable(
    send: Callable[[], Awaitable[httpx.Response]], *, within_s: float = 300.0
) -> httpx.Response:
    """Send until the answer is not 503, waiting the `Retry-After` it names (a solver still
    warming up, a dependency restarting); the last answer once `within_s` is spent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while True:
        response = await send()
        if response.status_code != 503 or loop.time() >= deadline:
            return response
        wait = float(response.headers.get("Retry-After", "1") or 1)
        await asyncio.sleep(min(wait, max(0.0, deadline - loop.time())))
