"""`--rolling`: three tracking processes in one consumer group under a live ping load, replaced
one by one as a Kubernetes RollingUpdate does (start the new one, wait until it is ready, SIGTERM
the old one), with ping → eta.updated latency before and during the restart and the longest time
each vehicle went without an ETA update.

An eta.updated carries `computed_at` = the time of the ping that caused it, and the generator
sends each ping at its ping time, so latency = received − computed_at matches each ETA to its
ping exactly (a generator falling behind counts against the latency)."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import Popen
from typing import Any

from aiokafka import AIOKafkaConsumer
from lastmile_common.events.envelope import decode
from lastmile_common.events.etas import EtaUpdated
from lastmile_common.routing import Router

from bench.tracking import workload
from bench.tracking.gaps import longest_gaps, percentile
from bench.tracking.load import run_load
from bench.tracking.replicas import routes_saved
from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.processes import service_process, wait_ready

REPLICAS = 3
STOPS = 2
# Every route's ETAs are recomputed and told once a second (ping time) whatever they changed
# by, so that a vehicle's silence measures the restart, not the throttle (production: 15 s
# recompute, 60 s interval, 120 s threshold).
SETTINGS = {
    "ETA_RECOMPUTE_S": "1",
    "ETA_THRESHOLD_S": "0",
    "ETA_MIN_INTERVAL_S": "1",
    "LOG_LEVEL": "WARNING",
}
# vehicle, ping time, event time (written to the outbox), received (epoch seconds)
Received = tuple[str, float, float, float]


class Replicas:
    """Starts and stops the tracking processes and notes when (epoch seconds) each step
    happened; with `logs`, each process logs at INFO into `<logs>/replica-<n>.log`."""

    def __init__(self, infra: Infrastructure, stack: ExitStack, logs: Path | None) -> None:
        self._infra, self._stack, self._logs = infra, stack, logs
        self.timeline: list[tuple[str, float]] = []
        self._names: dict[int, str] = {}

    async def start(self) -> Popen[bytes]:
        """Start one replica and wait for its /readyz."""
        name = f"replica-{len(self._names) + 1}"
        port = free_port()
        settings, output = SETTINGS, None
        if self._logs is not None:
            self._logs.mkdir(parents=True, exist_ok=True)
            settings = {**SETTINGS, "LOG_LEVEL": "INFO"}
            output = self._stack.enter_context((self._logs / f"{name}.log").open("wb"))
        self.timeline.append((f"{name} started", time.time()))
        process = self._stack.enter_context(
            service_process("tracking", self._infra, port, settings=settings, **_output(output))
        )
        self._names[process.pid] = name
        await wait_ready(process, port)
        self.timeline.append((f"{name} ready", time.time()))
        return process

    async def roll(self, running: list[Popen[bytes]]) -> None:
        """Replace each replica: the new one ready first, then the old one stopped gracefully."""
        for old in list(running):
            running.append(await self.start())
            self.timeline.append((f"{self._names[old.pid]} SIGTERM", time.time()))
            old.terminate()
            await asyncio.to_thread(old.wait, 60)
            self.timeline.append((f"{self._names[old.pid]} exited", time.time()))
            running.remove(old)


def _write_etas(path: Path, received: list[Received]) -> None:
    with path.open("w") as out:
        out.write("vehicle,ping_time,event_time,received\n")
        out.writelines(f"{v},{p:.3f},{m:.3f},{r:.3f}\n" for v, p, m, r in received)


def _output(output: Any) -> dict[str, Any]:
    return {} if output is None else {"output": output}


async def _read(consumer: AIOKafkaConsumer, tenant: str, out: list[Received]) -> None:
    while True:
        batches = await consumer.getmany(timeout_ms=100)
        now = time.time()
        for records in batches.values():
            for record in records:
                envelope = decode(record.headers or [], record.value)
                if envelope.tenant == tenant and isinstance(envelope.data, EtaUpdated):
                    data = envelope.data
                    made = envelope.time.timestamp()
                    out.append((data.vehicle_id, data.computed_at.timestamp(), made, now))


def _latency(received: list[Received], since: float, until: float) -> dict[str, Any]:
    ms = [(got - ping) * 1000 for _, ping, _, got in received if since <= ping < until]
    return {
        "eta_updates": len(ms),
        "p50_ms": round(percentile(ms, 50) or -1, 1),
        "p99_ms": round(percentile(ms, 99) or -1, 1),
    }


def _updates(received: list[Received], vehicles: list[str]) -> dict[str, list[float]]:
    updates: dict[str, list[float]] = {v: [] for v in vehicles}
    for vehicle, _, _, got in received:
        updates.setdefault(vehicle, []).append(got)
    return updates


def _gaps(received: list[Received], vehicles: list[str], since: float, until: float) -> dict:
    updates = _updates(received, vehicles)
    gaps = [gap for gap, _ in longest_gaps(updates, since, until).values()]
    return {
        "max_s": round(max(gaps), 2),
        "p99_s": round(percentile(gaps, 99) or -1, 2),
        "silent_vehicles": sum(1 for v in vehicles if not updates[v]),
    }


def _timeline(
    steps: list[tuple[str, float]], received: list[Received], vehicles: list[str], until: float
) -> list[str]:
    """The restart's steps and the ten longest gaps (from, to), in seconds after its start."""
    zero = steps[0][1]
    longest = longest_gaps(_updates(received, vehicles), zero, until)
    worst = sorted(longest.items(), key=lambda item: -item[1][0])[:10]
    lines = [(at - zero, step) for step, at in steps]
    lines += [
        (began - zero, f"{vehicle[-8:]} silent {gap:.2f} s") for vehicle, (gap, began) in worst
    ]
    return [f"{at:7.2f} {what}" for at, what in sorted(lines)]


# size: one scenario read top to bottom (group, routes, load, restarts, figures)
async def rolling_restart(
    infra: Infrastructure,
    router: Router,
    vehicles: int,
    rate: float,
    seconds: float,
    warm_s: float,
    prepare_s: float = 40.0,
    logs: Path | None = None,
) -> dict[str, Any]:
    """Run the load for `seconds`; after `warm_s` of it, restart the three replicas in turn."""
    tenant = workload.new_tenant()
    received: list[Received] = []
    with ExitStack() as stack:
        replicas = Replicas(infra, stack, logs)
        running = list(await asyncio.gather(*(replicas.start() for _ in range(REPLICAS))))
        await asyncio.sleep(10)  # the group settles (joins of the later members)
        depots = await workload.live_fleet(infra.kafka_bootstrap, tenant, vehicles, router, STOPS)
        await routes_saved(infra, tenant, len(depots))
        consumer = await workload.eta_consumer(infra.kafka_bootstrap, tenant)
        reader = asyncio.create_task(_read(consumer, tenant, received))
        begin_at = datetime.now(UTC) + timedelta(seconds=prepare_s)
        context = multiprocessing.get_context("spawn")
        report: Any = context.Queue()
        load = context.Process(
            target=run_load,
            args=(infra.kafka_bootstrap, tenant, depots, rate, seconds, begin_at, 0.0, report),
        )
        load.start()
        begin = begin_at.timestamp()
        await asyncio.sleep(max(0.0, begin + warm_s - time.time()))
        restart_began = time.time()
        replicas.timeline.clear()
        replicas.timeline.append(("restart began", restart_began))
        await replicas.roll(running)
        restart_ended = time.time()
        sent, sending_s = await asyncio.to_thread(report.get)
        await asyncio.to_thread(load.join)
        await asyncio.sleep(5)  # the last ETAs come in
        reader.cancel()
        await consumer.stop()
    if logs is not None:
        _write_etas(logs / "etas.csv", received)
    end = begin + seconds
    settled = begin + warm_s / 2  # most vehicles have left their depot (their route started)
    return {
        "phase": "rolling",
        "replicas": REPLICAS,
        "vehicles": vehicles,
        "target_pings_per_s": rate,
        "pings_sent": sent,
        "pings_per_s_achieved": round(sent / sending_s),
        "restart_s": round(restart_ended - restart_began, 1),
        "restart_within_load": restart_ended <= end,
        "before": _latency(received, settled, restart_began),
        "during": _latency(received, restart_began, restart_ended),
        "after": _latency(received, restart_ended, end),
        "gap_before": _gaps(received, list(depots), settled, restart_began),
        "gap_from_restart": _gaps(received, list(depots), restart_began, end),
        "timeline": _timeline(replicas.timeline, received, list(depots), end),
        "restart_began_epoch": restart_began,
    }
