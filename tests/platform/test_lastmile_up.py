"""`lastmile up` on the embedded default: run.json when ready, a crashed service restarted,
everything stopped on SIGTERM."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from lastmile.infra.ports import free_port
from lastmile.testing.roads import TEST_CACHE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


ROOT = Path(__file__).resolve().parents[2]


def test_up_writes_run_json_and_stops_everything_on_sigterm() -> None:
    # Not under pytest's tmp_path: another session on the machine may rotate that away while
    # PostgreSQL runs in it (pg_ctl then cannot stop it). One folder per process, as `infra`.
    state = ROOT / ".lastmile" / f"up-test-{os.getpid()}"
    shutil.rmtree(state, ignore_errors=True)
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    env["LASTMILE_STATE_DIR"] = str(state)
    env["ROUTING_CACHE_DIR"] = str(TEST_CACHE)  # roads prepared once for every test session
    for prefix in ("ORDERS", "PLANNER", "TRACKING", "NOTIFIER"):
        env[f"{prefix}_HTTP_PORT"] = str(free_port())  # other sessions may run this test too
    env["LASTMILE_CONSOLE_PORT"] = str(free_port())
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
        run = _kill_and_wait_for_restart(run, run_file, "tracking")
        assert process.poll() is None, "lastmile up stopped when one service died"
        pids = [pid for pid in run["pids"].values() if pid]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=90)
    assert process.returncode == 0
    assert not run_file.exists()
    # On a loaded machine the last exits can take a moment after `lastmile up` returned.
    deadline = time.monotonic() + 15
    while (alive := _alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not alive, [(pid, psutil.Process(pid).cmdline()) for pid in alive]
    shutil.rmtree(state, ignore_errors=True)


def _kill_and_wait_for_restart(run: dict, run_file: Path, name: str) -> dict:  # type: ignore[type-arg]
    """kill -9 one service; `lastmile up` restarts it and writes its new pid into run.json."""
    killed = run["pids"][name]
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            run = json.loads(run_file.read_text())
        except (OSError, ValueError):
            continue
        if run["pids"][name] != killed:
            url = run["services"][name]
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    return run
            except httpx.HTTPError:
                pass
    raise AssertionError(f"{name} was not restarted")


def _alive(pids: list[int]) -> list[int]:
    return [
        pid
        for pid in pids
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
