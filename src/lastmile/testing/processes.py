"""A service as its own `python -m <service>` process on given infrastructure, as in
production, for fault tests and benchmarks."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO

import httpx

from lastmile.infra.platform import Infrastructure


@contextmanager
def service_process(
    service: str,
    infra: Infrastructure,
    port: int,
    *,
    settings: Mapping[str, str] | None = None,
    output: IO[bytes] | int = subprocess.DEVNULL,
    graceful: bool = False,
    python_options: Sequence[str] = (),
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `python -m <service>` on `port`; `settings` are its own (unprefixed) variables.

    On exit the process is killed, or with `graceful` sent SIGTERM first (killed after 20 s).
    `python_options` go before `-m` (e.g. `-m cProfile -o FILE`).
    """
    prefix = f"{service.upper()}_"
    env = {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        f"{prefix}HTTP_PORT": str(port),
        f"{prefix}LOG_LEVEL": "WARNING",
        **{prefix + name: value for name, value in (settings or {}).items()},
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, *python_options, "-m", service],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            if graceful:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            else:
                process.kill()
        process.wait()


async def wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 90) -> None:
    """Wait until the service's /readyz answers 200 (database and broker reachable)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the service exited with {process.returncode}")
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"the service on port {port} did not become ready")
