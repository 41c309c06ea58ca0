"""The latency load generator: runs in its own process, sends live pings at a fixed rate."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.pings import Ping
from lastmile_common.events.topics import GPS_PINGS
from tracking.simulation import offset


def run_load(bootstrap: str, tenant: str, depots: dict[str, tuple[float, float]], rate: float,
             seconds: float) -> None:
    """Entry point of the load process."""
    asyncio.run(_load(bootstrap, tenant, depots, rate, seconds))


async def _load(bootstrap: str, tenant: str, depots: dict[str, tuple[float, float]], rate: float,
                seconds: float) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    vehicles = list(depots)
    # Vehicle i waits at its depot, then drives east at 15 m/s: leaving the depot geofence
    # starts its route, which publishes eta.updated for every stop.
    departs = {v: seconds * 0.8 * i / len(vehicles) for i, v in enumerate(vehicles)}
    began = time.monotonic()
    sent, index = 0, 0
    try:
        while (elapsed := time.monotonic() - began) < seconds:
            due = int(elapsed * rate) - sent
            for _ in range(due):
                vehicle = vehicles[index % len(vehicles)]
                index += 1
                moved = max(0.0, elapsed - departs[vehicle]) * 15.0
                lat, lon = offset(*depots[vehicle], 0.0, moved)
                ping = Ping(vehicle_id=vehicle, time=datetime.now(UTC), lat=lat, lon=lon,
                            accuracy_m=5.0, speed_mps=15.0 if moved else 0.0)
                record = encode(Envelope.wrap(ping, source="bench", tenant=tenant), vehicle)
                await producer.send(GPS_PINGS, value=record.value, key=record.key,
                                    headers=record.headers)
            sent += max(due, 0)
            await asyncio.sleep(0.005)
        await producer.flush()
    finally:
        await producer.stop()
