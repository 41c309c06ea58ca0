"""`lastmile demo`: the demo day against the platform named in run.json."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from lastmile.demo.platform import Platform, PlatformNotRunning
from lastmile.demo.run import DemoConfig, DemoRun, print_figures


def say(line: str) -> None:
    """One line of the demo's story, time-stamped."""
    print(f"demo {datetime.now(UTC):%H:%M:%S} {line}", flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_demo_command(
    run_file: Path, orders: int, speed: float, seed: int, hand_off: str | None = None
) -> int:
    """Run the day; exit 0 with the figures printed, 1 with the reason it could not run."""
    try:
        platform = Platform.from_run_file(run_file)
    except PlatformNotRunning as exc:
        print(f"lastmile demo: {exc}", file=sys.stderr)
        return 1
    say(f"demo day: {orders} orders, time x{speed:g}, services: {', '.join(platform.services)}")
    if platform.console:
        say(f"watch it in the dispatcher console: {platform.console}")
    config = DemoConfig(orders=orders, speed=speed, seed=seed, hand_off=hand_off)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        figures = asyncio.run(DemoRun(platform, config, say, run_file).run())
    except KeyboardInterrupt:
        say("stopped")
        return 130
    except Exception as exc:  # the operator sees why, not a traceback of the simulation
        say(f"failed: {type(exc).__name__}: {exc}")
        return 1
    print_figures(figures, say)
    if "notifier" in platform.services:
        say(f"messages customers received: {platform.services['notifier']}/sink")
    say("figures as JSON: " + json.dumps(figures, default=str))
    return 0
