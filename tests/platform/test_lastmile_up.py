"""`lastmile up` on the embedded default: run.json when ready, everything stopped on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from lastmile.testing.roads import TEST_CACHE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_up_writes_run_json_and_stops_everything_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    env["LASTMILE_STATE_DIR"] = str(state)
    env["ROUTING_CACHE_DIR"] = str(TEST_CACHE)  # roads prepared once for every test session
    for prefix, port in (
        ("ORDERS", 18101),
        ("PLANNER", 18102),
        ("TRACKING", 18103),
        ("NOTIFIER", 18104),
    ):
        env[f"{prefix}_HTTP_PORT"] = str(port)
    env["LASTMILE_CONSOLE_PORT"] = "18100"
    process = subprocess.Popen(
        [sys.executable, "-m", "lastmile.cli", "up", "--no-demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    run_file = state / "run.json"
    try:
        deadline = time.monotonic() + 180
        while not run_file.exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
            time.sleep(0.5)
        run = json.loads(run_file.read_text())
        assert "orders" in run["services"]
        assert run["kafka_bootstrap"].startswith("127.0.0.1:")
        assert run["database_url"].startswith("postgresql://")
        for url in run["services"].values():
            assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
        pids = [pid for pid in run["pids"].values() if pid]
        assert all(psutil.pid_exists(pid) for pid in pids)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=90)
    assert process.returncode == 0
    assert not run_file.exists()
    time.sleep(1)
    alive = [
        pid
        for pid in pids
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert not alive
