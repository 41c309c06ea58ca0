"""The latency load generator: runs in its own process and sends pings on a fixed schedule.

Every ping is encoded in advance with its scheduled time as the ping time, then sent when that
time comes; if the generator falls behind, the delay counts against the measured latency."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from multiprocessing import Queue

from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope, KafkaRecord, encode
from lastmile_common.events.pings import Ping
from lastmile_common.events.topics import GPS_PINGS
from tracking.simulation import offset


def schedule(
    tenant: str,
    depots: dict[str, tuple[float, float]],
    rate: float,
    seconds: float,
    begin_at: datetime,
    spread: float = 0.8,
) -> list[tuple[float, KafkaRecord]]:
    """(seconds after begin, record) for every ping, round-robin over the vehicles."""
    vehicles = list(depots)
    # Vehicle i waits at its depot, then drives east at 15 m/s: leaving the depot geofence
    # starts its route, which publishes eta.updated for every stop. The departures are spread
    # over the first `spread` of the run (0: all leave at once).
    departs = {v: seconds * spread * i / len(vehicles) for i, v in enumerate(vehicles)}
    out = []
    for n in range(int(rate * seconds)):
        at = n / rate
        vehicle = vehicles[n % len(vehicles)]
        moved = max(0.0, at - departs[vehicle]) * 15.0
        lat, lon = offset(*depots[vehicle], 0.0, moved)
        ping = Ping(
            vehicle_id=vehicle,
            time=begin_at + timedelta(seconds=at),
            lat=lat,
            lon=lon,
            accuracy_m=5.0,
            speed_mps=15.0 if moved else 0.0,
        )
        # The CloudEvents time is the send time too: tracking treats it as "received at".
        envelope = replace(Envelope.wrap(ping, source="bench", tenant=tenant), time=ping.time)
        out.append((at, encode(envelope, vehicle)))
    return out


def run_load(
    bootstrap: str,
    tenant: str,
    depots: dict[str, tuple[float, float]],
    rate: float,
    seconds: float,
    begin_at: datetime,
    spread: float = 0.8,
    report: Queue[tuple[int, float]] | None = None,
) -> None:
    """Entry point of the load process; `report` receives (pings sent, seconds sending)."""
    planned = schedule(tenant, depots, rate, seconds, begin_at, spread)
    took = asyncio.run(_send(bootstrap, planned, begin_at))
    if report is not None:
        report.put((len(planned), took))


async def _send(
    bootstrap: str, planned: list[tuple[float, KafkaRecord]], begin_at: datetime
) -> float:
    """Send on schedule; the seconds from the first scheduled send to the last flushed."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2, acks="all")
    await producer.start()
    try:
        wait = (begin_at - datetime.now(UTC)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)
        began = time.monotonic() - max(0.0, -wait)
        index = 0
        while index < len(planned):
            elapsed = time.monotonic() - began
            while index < len(planned) and planned[index][0] <= elapsed:
                record = planned[index][1]
                await producer.send(
                    GPS_PINGS, value=record.value, key=record.key, headers=record.headers
                )
                index += 1
            await asyncio.sleep(0.002)
        await producer.flush()
        return time.monotonic() - began
    finally:
        await producer.stop()
