"""Fault tests on the services as processes: start them, load them, break a dependency, and
read back what was acknowledged, published and received."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from lastmile_common.events.topics import ORDERS

from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.fixtures import TopicReader
from lastmile.testing.processes import service_process, wait_ready
from lastmile.testing.waiting import eventually

# Short back-offs, so a test sees the recovery within seconds of the dependency's return.
FAST_RECOVERY = {"CONSUMER_BACKOFF_INITIAL_S": "0.1", "CONSUMER_BACKOFF_MAX_S": "1"}


@asynccontextmanager
async def running_services(
    infra: Infrastructure,
    names: Sequence[str],
    settings: Mapping[str, Mapping[str, str]] | None = None,
    log_dir: Path | None = None,
) -> AsyncIterator[dict[str, str]]:
    """`python -m <name>` for each name on `infra`, all ready: yields name -> base URL.

    With `log_dir`, each service logs (warnings and up) to `<name>.log` there."""
    with ExitStack() as stack:
        ports = {name: free_port() for name in names}
        processes = {}
        for name, port in ports.items():
            output = stack.enter_context((log_dir / f"{name}.log").open("ab")) if log_dir else None
            own = {**FAST_RECOVERY, **(settings or {}).get(name, {})}
            processes[name] = stack.enter_context(
                service_process(
                    name, infra, port, settings=own, output=output or subprocess.DEVNULL
                )
            )
        await asyncio.gather(*(wait_ready(processes[n], ports[n]) for n in names))
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}


async def readiness(urls: Mapping[str, str]) -> dict[str, int]:
    """Each service's /readyz status (0 when it does not answer within 5 s)."""
    async with httpx.AsyncClient(timeout=5) as client:

        async def status(url: str) -> int:
            try:
                return (await client.get(f"{url}/readyz")).status_code
            except httpx.HTTPError:
                return 0

        codes = await asyncio.gather(*(status(url) for url in urls.values()))
    return dict(zip(urls, codes, strict=True))


async def wait_readiness(urls: Mapping[str, str], status: int, timeout: float = 30) -> float:
    """Wait until every service's /readyz answers `status`; return how long it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def all_say() -> bool:
        return set((await readiness(urls)).values()) == {status}

    await eventually(all_say, timeout=timeout, interval=0.1, what=f"every /readyz {status}")
    return loop.time() - started


@dataclass
class OrderLoad:
    """Orders posted one after another until stopped: which were acknowledged, what answered."""

    url: str
    headers: Mapping[str, str]
    body: Callable[[], dict[str, Any]]
    pause_s: float = 0.05
    acknowledged: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin posting."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop posting (the request in flight is abandoned, as a client that gives up)."""
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=15) as client:
            while True:
                try:
                    response = await client.post(
                        "/v1/orders", json=self.body(), headers=self.headers
                    )
                except httpx.HTTPError:
                    self.statuses[0] += 1
                    continue
                self.statuses[response.status_code] += 1
                if response.status_code == 201:
                    self.acknowledged.append(response.json()["order_id"])
                await asyncio.sleep(self.pause_s)


async def created_events(
    bootstrap: str, tenant: str, expected: int, timeout: float = 60
) -> dict[str, set[str]]:
    """Distinct order.created event ids per order of a tenant, once `expected` orders are seen
    (and a moment more, so a late duplicate would be seen too)."""
    per_order: dict[str, set[str]] = defaultdict(set)

    def created(envelope: Any) -> bool:
        return bool(envelope.tenant == tenant and envelope.type == "order.created")

    async with TopicReader(bootstrap, ORDERS) as reader:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(per_order) < expected and loop.time() < deadline:
            for event in await reader.wait_for(created, count=10**6, timeout=1.0):
                per_order[event.subject or ""].add(event.id)
        for event in await reader.wait_for(created, count=10**6, timeout=2):
            per_order[event.subject or ""].add(event.id)
    return per_order
