"""`python -m bench.tracking.eta_day`: ETA accuracy on a simulated day, as tracking measures it.

Starts the platform (embedded Kafka and PostgreSQL, the four services as processes), runs the
demo day, then reads tracking's own figures (`GET /v1/eta-accuracy`: per horizon 60/30/10 min,
error = ETA told − arrival, so a negative bias is early) and how far each arrival was from plan.
`--on-plan` drives every van to the plan (no late start, no slow driver, no offline gap).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lastmile.demo.platform import Platform
from lastmile.demo.run import DemoConfig, DemoRun
from lastmile.infra.platform import start_infrastructure
from lastmile.infra.ports import free_port
from lastmile.services import SERVICES
from lastmile.supervisor import Supervisor

ROOT = Path(__file__).resolve().parents[2]


def _delays_min(run: DemoRun) -> list[float]:
    """Arrival − planned arrival (minutes) of every arrived stop."""
    assert run.state is not None
    out = []
    for route in run.state.routes.values():
        for stop in route.stops:
            order = run.state.orders.get(stop["order_id"])
            if order is not None and order.arrived_at is not None:
                planned = stop["planned_arrival"]
                out.append((order.arrived_at - planned).total_seconds() / 60)
    return out


async def _day(platform: Platform, config: DemoConfig) -> dict[str, Any]:
    run = DemoRun(platform, config, lambda line: print(line, flush=True))
    figures = await run.run()
    async with run.client("tracking") as tracking:
        response = await tracking.get("/v1/eta-accuracy")
        response.raise_for_status()
        accuracy = response.json()
    delays = _delays_min(run)
    return {
        "seed": config.seed,
        "orders": config.orders,
        "on_plan": not config.quirks,
        "eta_accuracy": accuracy,
        "arrival_vs_plan_min": {
            "stops": len(delays),
            "median": round(statistics.median(delays), 1) if delays else None,
            "min": round(min(delays), 1) if delays else None,
            "max": round(max(delays), 1) if delays else None,
        },
        "on_time_rate": figures["on_time_rate"],
        "messages_by_kind": figures["messages_by_kind"],
    }


def main() -> None:
    """Run one simulated day and print its ETA figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--vans", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--speed", type=float, default=200.0, help="simulated s per real s")
    parser.add_argument("--on-plan", action="store_true", help="drivers keep to the plan")
    args = parser.parse_args()
    state = ROOT / ".lastmile" / f"bench-eta-{os.getpid()}"
    infra = start_infrastructure(state, fresh_database=True)
    supervisor = Supervisor(infra, state / "logs")
    try:
        for spec in SERVICES:
            supervisor.start(spec, free_port())
        supervisor.wait_ready(timeout=180)
        platform = Platform(
            services=supervisor.service_urls,
            kafka_bootstrap=infra.kafka_bootstrap,
            database_url=infra.database_url,
        )
        config = DemoConfig(
            orders=args.orders, speed=args.speed, seed=args.seed, vans=args.vans,
            timeout_s=3600, plan_time_limit_s=5, quirks=not args.on_plan,
        )  # fmt: skip
        result = asyncio.run(_day(platform, config))
        result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        print(json.dumps(result))
    finally:
        supervisor.stop()
        infra.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
