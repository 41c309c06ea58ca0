"""One measured phase of the notifier benchmark: publish at a rate, wait for the providers'
receipts, and read latency, throughput, CPU and per-stage timings."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from aiokafka import AIOKafkaProducer
from lastmile_common.api_keys import issue
from lastmile_common.events.envelope import Envelope, KafkaRecord, encode
from notifier.testing import events as ev
from notifier.testing.fake_twilio import FakeTwilio
from notifier.testing.smtp_capture import SmtpCapture


@dataclass
class Phase:
    """One measured phase: what was published when, and what the providers saw."""

    name: str
    rate: float
    records: list[tuple[str, str | None, KafkaRecord]]
    published: dict[str, float]
    wall: dict[str, float] = field(default_factory=dict)


async def configure_tenant(port: int, brand: str) -> str:
    """A fresh tenant with notifier settings stored (the notifier skips tenants without)."""
    tenant = uuid.uuid4().hex
    key = issue(os.environ.get("LASTMILE_API_KEY_SECRET", "dev-api-key-secret-change-me"), tenant)
    async with httpx.AsyncClient() as client:
        response = await client.put(
            f"http://127.0.0.1:{port}/v1/settings",
            json={"brand_name": brand},
            headers={"Authorization": f"Bearer {key.raw}"},
        )
        response.raise_for_status()
    return tenant


def records(
    tenant: str, count: int, email: bool, tag: str, depots: int = 1
) -> list[tuple[str, str | None, KafkaRecord]]:
    out = []
    for i in range(count):
        depot = f"depot-{i % depots + 1}"
        phone = f"+49151{(hash((tag, i)) % 10**8):08d}"
        address = f"b{tag}{i}@bench.example" if email else None
        data = ev.order_created(
            f"bench-{tag}-{i}",
            phone=phone,
            email=address,
            channels=("sms", "email") if email else ("sms",),
            depot_id=depot,
        )
        envelope = Envelope.wrap(data, source="bench", tenant=tenant)
        out.append((phone, address, encode(envelope, depot)))
    return out


async def _publish(producer: AIOKafkaProducer, phase: Phase) -> None:
    start = time.monotonic()
    for i, (phone, address, record) in enumerate(phase.records):
        delay = start + i / phase.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        phase.published[phone] = time.monotonic()
        phase.wall[phone] = time.time()
        if address:
            phase.published[address] = phase.published[phone]
        await producer.send("orders.v1", value=record.value, key=record.key, headers=record.headers)
    await producer.flush()


class _Receipts:
    """Provider receipts by address, read incrementally so that waiting costs little CPU."""

    def __init__(self, twilio: FakeTwilio, smtp: SmtpCapture | None) -> None:
        self._twilio = twilio
        self._smtp = smtp
        self._sms_read = 0
        self._mail_read = 0
        self.seen: dict[str, float] = {}

    def update(self) -> dict[str, float]:
        """Take in what arrived since the last call."""
        requests = self._twilio.requests
        for r in requests[self._sms_read :]:
            if r.status == 201:
                self.seen[r.to] = r.received_at
        self._sms_read = len(requests)
        if self._smtp is not None:
            mails = list(self._smtp.mails)
            for mail in mails[self._mail_read :]:
                for rcpt in mail.rcpt_tos:
                    self.seen[rcpt] = mail.received_at
            self._mail_read = len(mails)
        return self.seen


async def measure(
    database_url: str,
    phase: Phase,
    twilio: FakeTwilio,
    smtp: SmtpCapture | None,
    producer: AIOKafkaProducer,
    procs: list[psutil.Process],
) -> dict[str, Any]:
    cpu_before = _cpu(procs)
    started = time.monotonic()
    await _publish(producer, phase)
    deadline = time.monotonic() + 120
    receipts = _Receipts(twilio, smtp)
    waiting = set(phase.published)
    while True:
        seen = receipts.update()
        waiting = {key for key in waiting if key not in seen}
        if not waiting or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    cpu_after = _cpu(procs)
    latencies = sorted(seen[k] - t for k, t in phase.published.items() if k in seen)
    last = max(seen[k] for k in phase.published if k in seen)
    stages = await _stages(database_url, phase)
    cpu = cpu_after - cpu_before
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    # BENCH_TIMELINE=FILE appends (phase, seconds after the phase began, latency) per message.
    if timeline := os.environ.get("BENCH_TIMELINE"):
        lines = [
            f"{phase.name} {t - started:.3f} {seen[k] - t:.3f}\n"
            for k, t in sorted(phase.published.items(), key=lambda kv: kv[1])
            if k in seen
        ]
        with Path(timeline).open("a") as out:  # noqa: ASYNC230 (after the measurement)
            out.writelines(lines)
    return {
        "phase": phase.name,
        "target_rate": phase.rate,
        "notifications": len(phase.published),
        "delivered": len(latencies),
        "notifications_per_s": round(len(latencies) / (last - started), 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p90_ms": round(q[89] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "notifier_cpu_ms_per_notification": round(1000 * cpu / max(1, len(latencies)), 2),
        **stages,
    }


def _cpu(procs: list[psutil.Process]) -> float:
    """User + system CPU seconds of the notifier processes."""
    return sum(t.user + t.system for t in (p.cpu_times() for p in procs))


async def _stages(database_url: str, phase: Phase) -> dict[str, float]:
    """Where the time goes (p50/p99 ms): event → row (consumer), row → claim, claim → recorded."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT address, extract(epoch FROM created_at) AS created,"
            " extract(epoch FROM claimed_at) AS claimed, extract(epoch FROM sent_at) AS sent"
            " FROM notifier.notifications WHERE address = ANY($1::text[]) AND state = 'sent'",
            list(phase.wall),
        )
    finally:
        await conn.close()
    out: dict[str, float] = {}
    spans = {
        "consumer": [float(r["created"]) - phase.wall[r["address"]] for r in rows],
        "queue": [float(r["claimed"] - r["created"]) for r in rows],
        "send_record": [float(r["sent"] - r["claimed"]) for r in rows],
    }
    for name, values in spans.items():
        if len(values) >= 2:
            q = statistics.quantiles(values, n=100, method="inclusive")
            out[f"{name}_p50_ms"] = round(q[49] * 1000, 1)
            out[f"{name}_p99_ms"] = round(q[98] * 1000, 1)
    return out
