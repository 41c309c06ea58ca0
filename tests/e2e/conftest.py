"""The whole platform as processes (the `lastmile up` launcher code) and one simulated day on it."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lastmile.demo.platform import Platform
from lastmile.demo.run import DemoConfig, DemoRun, print_figures
from lastmile.infra.platform import Infrastructure, start_infrastructure
from lastmile.infra.ports import free_port
from lastmile.services import SERVICES
from lastmile.supervisor import CONSOLE, Supervisor

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: the whole platform end to end (slow)")


@pytest.fixture(scope="session")
def e2e_infra() -> Iterator[Infrastructure]:
    """A broker and database of the e2e run's own: the in-process test apps of the other
    suites keep consumer groups of the same names alive on the shared session broker."""
    state = ROOT / ".lastmile" / f"e2e-{os.getpid()}"
    infrastructure = start_infrastructure(state, fresh_database=True)
    yield infrastructure
    infrastructure.stop()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def platform(e2e_infra: Infrastructure) -> Iterator[Platform]:
    """All four services and the console, started as processes by the launcher's Supervisor."""
    infra = e2e_infra
    missing = [spec.name for spec in SERVICES if not spec.available]
    if missing:  # the end-to-end flow needs every service: say so, never skip
        pytest.fail(f"services not installed: {', '.join(missing)}")
    supervisor = Supervisor(infra, ARTIFACTS / "e2e-logs")
    try:
        for spec in SERVICES:
            supervisor.start(spec, free_port())
        supervisor.start_console(free_port())
        supervisor.wait_ready(timeout=120)
        yield Platform(
            services=supervisor.service_urls,
            kafka_bootstrap=infra.kafka_bootstrap,
            database_url=infra.database_url,
            console=supervisor.urls[CONSOLE],
        )
    finally:
        supervisor.stop()


@pytest.fixture(scope="session")
async def demo_day(platform: Platform) -> DemoRun:
    """A small demo day (40 orders, time x300) run once for every e2e test.

    At x300 a second of processing lag on a loaded machine is 5 simulated minutes of ETA error;
    faster days measured the machine's load more than the ETAs."""
    lines: list[str] = []

    def say(line: str) -> None:
        stamped = f"{datetime.now(UTC):%H:%M:%S} {line}"
        lines.append(stamped)
        print(stamped, flush=True)

    config = DemoConfig(orders=40, speed=300.0, vans=2, timeout_s=260, plan_time_limit_s=3)
    run = DemoRun(platform, config, say)
    figures = await asyncio.wait_for(run.run(), timeout=300)
    print_figures(figures, say)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "e2e-demo-day.log").write_text("\n".join(lines) + "\n")
    run.figures = figures  # type: ignore[attr-defined]
    return run
