"""Starts the service processes, waits until they are ready, restarts crashed ones, stops them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from lastmile.infra.platform import Infrastructure
from lastmile.restarts import RestartPolicy, RestartState
from lastmile.services import SERVICES, ServiceSpec

CONSOLE = "console"
CONSOLE_PORT = 8000


def _port(spec: ServiceSpec) -> int:
    """The port a service is started on when none is given: its setting, else its default."""
    return int(os.environ.get(f"{spec.prefix}HTTP_PORT", spec.port))


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class _Child:
    """How to start a process again, and its crash history."""

    module: str
    env: dict[str, str]
    restarts: RestartState
    restart_at: float | None = None


@dataclass
class Supervisor:
    """The service processes of one `lastmile up`."""

    infra: Infrastructure
    log_dir: Path
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    report: Callable[[str], None] = _to_stderr
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    _children: dict[str, _Child] = field(default_factory=dict)

    def environment(self, spec: ServiceSpec, port: int) -> dict[str, str]:
        """The child's environment: where the infrastructure is and which port to serve."""
        env = dict(os.environ)
        env["DATABASE_URL"] = self.infra.database_url
        env["KAFKA_BOOTSTRAP_SERVERS"] = self.infra.kafka_bootstrap
        env[f"{spec.prefix}HTTP_PORT"] = str(port)
        env.setdefault(f"{spec.prefix}HTTP_HOST", "127.0.0.1")
        if spec.name == "notifier" and "tracking" in self.urls:
            # Customers' links point at the tracking service this run started (any port).
            env.setdefault("NOTIFIER_TRACKING_BASE_URL", f"{self.urls['tracking']}/track/")
        if spec.name == "orders":
            # The timeline links proofs where tracking serves them (orders starts first).
            env.setdefault("ORDERS_PROOF_BASE_URL", f"{self._url_of('tracking')}/v1/proofs/")
        return env

    def _url_of(self, name: str) -> str:
        """A service's address: where this run started it, else where `start` will."""
        if name in self.urls:
            return self.urls[name]
        return f"http://127.0.0.1:{_port(next(s for s in SERVICES if s.name == name))}"

    def start(self, spec: ServiceSpec, port: int | None = None) -> None:
        """Start one service process, logging to its own file."""
        port = port or _port(spec)
        self._spawn(spec.name, spec.name, self.environment(spec, port), port)

    def _spawn(self, name: str, module: str, env: dict[str, str], port: int) -> None:
        self._children[name] = _Child(module, env, RestartState(self.policy))
        self.urls[name] = f"http://127.0.0.1:{port}"
        self._run(name)

    def _run(self, name: str) -> None:
        child = self._children[name]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", child.module],
                env=child.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child.restarts.started(time.monotonic())

    def supervise(self) -> bool:
        """Schedule a restart of every process that exited, start those due; True if any did."""
        now = time.monotonic()
        restarted = False
        for name, child in self._children.items():
            process = self.processes[name]
            if child.restart_at is None and process.poll() is not None:
                delay = child.restarts.crashed(now)
                child.restart_at = now + delay
                self._log(
                    name,
                    f"{name} exited with {process.returncode}; restarting in {delay:g} s"
                    f" (crash {child.restarts.crashes} in a row)",
                )
            elif child.restart_at is not None and now >= child.restart_at:
                child.restart_at = None
                self._run(name)
                self._log(name, f"{name} restarted (pid {self.processes[name].pid})")
                restarted = True
        return restarted

    def _log(self, name: str, line: str) -> None:
        """To the operator's terminal and into the service's own log, where its crash is."""
        self.report(f"lastmile: {line}")
        with (self.log_dir / f"{name}.log").open("a") as log:
            log.write(f"--- lastmile supervisor: {line}\n")

    def start_console(self, port: int) -> None:
        """Start the dispatcher console, told where the services and the broker are."""
        spec = ServiceSpec("lastmile.console", port, "LASTMILE_CONSOLE_")
        env = self.environment(spec, port)
        env["LASTMILE_CONSOLE_SERVICES"] = json.dumps(self.service_urls)
        self._spawn(CONSOLE, spec.name, env, port)

    @property
    def service_urls(self) -> dict[str, str]:
        """The platform's services (the console is not one of them)."""
        return {name: url for name, url in self.urls.items() if name != CONSOLE}

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Block until every service answers /readyz, or raise naming the ones that did not
        (the planner is ready once its solver has warmed up: a minute or more on a slow machine
        whose numba cache is cold, i.e. `lastmile up` without `make env` first)."""
        deadline = time.monotonic() + timeout
        pending = dict(self.urls)
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.log_dir / (name + '.log')}")
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"not ready after {timeout:.0f}s: {', '.join(pending)}")

    def stop(self, grace: float = 25.0) -> None:
        """SIGTERM every service, wait for a graceful exit, then SIGKILL what is left."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    @property
    def pids(self) -> dict[str, int]:
        """PID of every service process."""
        return {name: process.pid for name, process in self.processes.items()}
