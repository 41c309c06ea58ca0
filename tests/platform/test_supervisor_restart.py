"""`lastmile up`'s supervisor: kill -9 of one service, it comes back with back-off, the rest run on."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.restarts import RestartPolicy
from lastmile.services import SERVICES
from lastmile.supervisor import Supervisor

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_kill_9_of_one_service_restarts_it_with_back_off(
    infra: Infrastructure, tmp_path: Path
) -> None:
    lines: list[str] = []
    policy = RestartPolicy(initial_s=1.0, max_s=4.0, healthy_after_s=600.0)
    supervisor = Supervisor(infra, tmp_path, policy=policy, report=lines.append)
    specs = {spec.name: spec for spec in SERVICES}
    try:
        supervisor.start(specs["orders"], free_port())
        supervisor.start(specs["notifier"], free_port())
        supervisor.wait_ready(timeout=120)
        notifier_pid = supervisor.pids["notifier"]
        delays = []
        for _ in range(2):
            killed = supervisor.pids["orders"]
            os.kill(killed, signal.SIGKILL)
            crashed_at = time.monotonic()
            deadline = crashed_at + 120
            while not (supervisor.pids["orders"] != killed and _ready(supervisor.urls["orders"])):
                assert time.monotonic() < deadline, lines
                supervisor.supervise()
                time.sleep(0.1)
            delays.append(time.monotonic() - crashed_at)
        assert supervisor.pids["notifier"] == notifier_pid, "the other service was restarted"
        assert supervisor.processes["notifier"].poll() is None
    finally:
        supervisor.stop()
    exits = [line for line in lines if "orders exited with -9" in line]
    assert [e.split("restarting in ")[1].split(" s")[0] for e in exits] == ["1", "2"], lines
    assert sum("orders restarted" in line for line in lines) == 2
    assert delays[1] >= 2.0  # the second crash in a row waited twice as long
    assert "lastmile supervisor: orders restarted" in (tmp_path / "orders.log").read_text()
