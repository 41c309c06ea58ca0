"""`uv run python -m bench.notifier [--rate 500] [--seconds 10] [--email] [--depots N]
[--replicas N] [--json]`.

Starts (or uses) the broker and PostgreSQL, runs `python -m notifier` as its own process (or
N processes in one consumer group) against a local Twilio-compatible fake (and aiosmtpd with
--email), publishes `order.created` at a fixed rate and measures event → provider latency and
notifications/s. Orders are keyed by depot (`orders.v1`), so `--depots 1` puts them all on one
partition; more depots spread them over the topic's partitions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil
from aiokafka import AIOKafkaProducer
from notifier.testing.fake_twilio import FakeTwilio
from notifier.testing.smtp_capture import SmtpCapture

from bench.notifier.measure import Phase, configure_tenant, measure, records
from lastmile.infra.platform import Infrastructure, start_infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.processes import service_process, wait_ready

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".lastmile" / "bench-notifier"


async def run(
    infra: Infrastructure,
    rates: list[float],
    seconds: float,
    email: bool,
    depots: int = 1,
    replicas: int = 1,
) -> list[dict[str, Any]]:
    """Start the notifier(s) and the fakes, warm up, then one phase per rate."""
    twilio = await FakeTwilio(account_sid="ACbench").start()
    smtp = SmtpCapture().start() if email else None
    ports = [free_port() for _ in range(replicas)]
    settings = {
        "CONSUMER_GROUP": f"notifier-bench-{uuid.uuid4().hex[:8]}",
        "REQUIRE_TENANT_SETTINGS": "true",
        "SMS_PROVIDER": "twilio",
        "TWILIO_BASE_URL": twilio.base_url,
        "TWILIO_ACCOUNT_SID": "ACbench",
        "EMAIL_PROVIDER": "smtp" if email else "sink",
        "SMTP_PORT": str(smtp.port if smtp else 25),
        "SMS_RATE_PER_S": "5000",
        "EMAIL_RATE_PER_S": "5000",
    }
    # BENCH_PROFILE=FILE runs the notifier under cProfile (written when it stops).
    profile = os.environ.get("BENCH_PROFILE")
    options = ("-m", "cProfile", "-o", profile) if profile else ()
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, linger_ms=2, acks=1)
    try:
        with ExitStack() as stack:
            log = stack.enter_context((STATE / "notifier.log").open("ab"))
            children = [
                stack.enter_context(
                    service_process(
                        "notifier",
                        infra,
                        p,
                        settings=settings,
                        output=log,
                        graceful=True,
                        python_options=options,
                    )
                )
                for p in ports
            ]
            for child, p in zip(children, ports, strict=True):
                await wait_ready(child, p)
            await producer.start()
            try:
                return await _phases(
                    infra, ports[0], producer, children, twilio, smtp, rates, seconds, email, depots
                )
            finally:
                await producer.stop()
    finally:
        await twilio.stop()
        if smtp is not None:
            smtp.stop()


async def _phases(
    infra: Infrastructure,
    port: int,
    producer: AIOKafkaProducer,
    children: list[subprocess.Popen[bytes]],
    twilio: FakeTwilio,
    smtp: SmtpCapture | None,
    rates: list[float],
    seconds: float,
    email: bool,
    depots: int,
) -> list[dict[str, Any]]:
    """A tenant, a warm-up, then one measured phase per rate."""
    tenant = await configure_tenant(port, "Bench")
    procs = [psutil.Process(child.pid) for child in children]
    warmup = Phase("warmup", 200, records(tenant, 400, email, "w", depots), {})
    await measure(infra.database_url, warmup, twilio, smtp, producer, procs)
    results = []
    for rate in rates:
        phase = Phase(
            f"rate-{rate:g}",
            rate,
            records(tenant, int(rate * seconds), email, f"r{rate:g}", depots),
            {},
        )
        results.append(await measure(infra.database_url, phase, twilio, smtp, producer, procs))
    return results


def main() -> None:
    """Parse arguments, start the infrastructure, run, print."""
    parser = argparse.ArgumentParser(prog="python -m bench.notifier")
    parser.add_argument(
        "--rate", type=float, action="append", help="events/s (repeatable); default 250, 500"
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--email", action="store_true", help="SMS and e-mail per order (two notifications)"
    )
    parser.add_argument(
        "--depots", type=int, default=1, help="spread orders over N depots (partition keys)"
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="notifier processes in one consumer group"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    STATE.mkdir(parents=True, exist_ok=True)
    infra = start_infrastructure(STATE, fresh_database=True)
    try:
        results = asyncio.run(
            run(
                infra,
                args.rate or [250, 500],
                args.seconds,
                args.email,
                args.depots,
                args.replicas,
            )
        )
    finally:
        infra.stop()
    for row in results:
        if args.json:
            print(json.dumps(row))
        else:
            print(
                f"{row['phase']:>10}: {row['notifications']} notifications, "
                f"{row['notifications_per_s']}/s, p50 {row['p50_ms']} ms, p90 {row['p90_ms']} ms, "
                f"p99 {row['p99_ms']} ms, max {row['max_ms']} ms, "
                f"notifier CPU {row['notifier_cpu_ms_per_notification']} ms/notification"
            )
            stages = {
                k: v for k, v in row.items() if k.split("_")[0] in ("consumer", "queue", "send")
            }
            print(f"{'':>12}stages: {stages}")


if __name__ == "__main__":
    main()
