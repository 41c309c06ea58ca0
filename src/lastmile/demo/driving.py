"""Drivers on the road: GPS pings along each route's roads (with noise, each driver's own pace
and quirks), stop completions."""

from __future__ import annotations

import asyncio
import logging
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaProducer
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.geo import haversine_m

from lastmile.console.state import DayState, RouteView
from lastmile.demo.clock import SimClock
from lastmile.demo.places import TIME_ZONE, offset
from lastmile.demo.platform import check
from lastmile.demo.road_drive import (
    DriverStyle,
    along,
    leg_seconds,
    road_metres,
    section,
    service_seconds,
)

log = logging.getLogger(__name__)
# Van speeds the planner assumes (m/s by local hour): rush hours are slower.
RUSH = ((7.0, 9.5), (16.0, 19.0))


def van_speed(at: datetime) -> float:
    """Road speed at a local time of day, as the planner's default profile has it."""
    local = at.astimezone(ZoneInfo(TIME_ZONE))
    hour = local.hour + local.minute / 60
    if any(start <= hour < end for start, end in RUSH):
        return 5.5
    return 8.0 if 9.5 <= hour < 16 else 9.0


# A driver who keeps to the roads' times: no pace of their own, no jams, steady at the door.
ON_PLAN = DriverStyle(delays_per_hour=0.0, leg_sigma=0.0, service_sigma=0.15)


@dataclass(frozen=True)
class Quirks:
    """What makes one driver's day unlike the plan."""

    late_start_s: float = 0.0
    slowness: float = 1.0
    swap_stops: bool = False
    offline_after_s: float | None = None
    offline_for_s: float = 0.0
    fail_rate: float = 0.04

    def describe(self) -> str:
        """In words, for the demo's log."""
        parts = []
        if self.late_start_s:
            parts.append(f"starts {self.late_start_s / 60:.0f} min late")
        if self.slowness > 1:
            parts.append(f"drives {100 * (self.slowness - 1):.0f}% slower")
        if self.swap_stops:
            parts.append("leaves the planned order")
        if self.offline_after_s is not None:
            parts.append(f"goes offline for {self.offline_for_s / 60:.0f} min")
        return ", ".join(parts) or "on plan"


@dataclass
class Driver:
    """One vehicle driving one route, reporting through the tracking service's public API."""

    route_id: str
    vehicle_id: str
    tracking: httpx.AsyncClient
    telematics: Telematics
    tenant_id: str
    device_token: str
    state: DayState
    clock: SimClock
    rng: random.Random
    quirks: Quirks = Quirks()
    style: DriverStyle = ON_PLAN
    ping_every_s: float = 20.0
    arrival_wait_s: float = 8.0
    done: set[str] = field(default_factory=set)
    outcomes: dict[str, str] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)
    start_at: datetime | None = None
    _hint: int = 0  # where on the route's path the last leg ended
    _buffer: list[dict[str, Any]] = field(default_factory=list)
    _completions: asyncio.Queue[tuple[dict[str, Any], datetime, tuple[float, float]] | None] = (
        field(default_factory=asyncio.Queue)
    )
    _offline: tuple[datetime, datetime] | None = None

    @property
    def route(self) -> RouteView | None:
        """The latest version of the route the planner published (None once cancelled)."""
        return self.state.routes.get(self.route_id)

    async def run(self) -> None:
        """Drive the route from the depot through every stop and back."""
        worker = asyncio.create_task(self._complete_worker())
        try:
            await self._drive()
        finally:
            await self._completions.put(None)
            await worker

    async def _drive(self) -> None:
        route = self.route
        if route is None:
            return
        depot, kind = route.depot, route.vehicle_kind
        t = self.start_at or route.start_time + timedelta(seconds=self.quirks.late_start_s)
        if self.quirks.offline_after_s is not None:
            gone = t + timedelta(seconds=self.quirks.offline_after_s)
            self._offline = (gone, gone + timedelta(seconds=self.quirks.offline_for_s))
        here = depot
        t = await self._dwell(here, t, 60.0)  # loading at the depot
        while stop := self._next_stop():
            target = (stop["lat"], stop["lon"])
            points, leg, held = self._leg(kind, here, target, t)
            earliest = stop["planned_arrival"] - timedelta(seconds=leg + 300)
            t = await self._dwell(here, t, (earliest - t).total_seconds()) if earliest > t else t
            t = await self._travel(points, t, leg, held)
            here = target
            route = self.route
            if route is None or all(s["order_id"] != stop["order_id"] for s in route.stops):
                continue  # re-planned onto another vehicle while this one was on its way
            service = service_seconds(self.style, self._service_s(stop), self.rng)
            arrived = t
            t = await self._dwell(here, t, service)
            self.done.add(stop["order_id"])
            await self._flush()
            await self._completions.put((stop, max(arrived + timedelta(seconds=40), t), here))
        points, leg, held = self._leg(kind, here, depot, t)
        t = await self._travel(points, t, leg, held)
        await self._dwell(depot, t, 120.0)
        await self._flush(force=True)

    def _next_stop(self) -> dict[str, Any] | None:
        route = self.route
        if route is None:  # cancelled by a re-plan: back to the depot
            return None
        remaining = [s for s in route.stops if s["order_id"] not in self.done]
        if not remaining:
            return None
        # The "creative" driver takes the second stop before the first, now and then.
        if self.quirks.swap_stops and len(remaining) > 2 and len(self.done) % 4 == 1:
            return remaining[1]
        return remaining[0]

    def _service_s(self, stop: dict[str, Any]) -> float:
        return float(stop.get("service_time_s") or 150)

    def _leg(
        self, kind: str, a: tuple[float, float], b: tuple[float, float], at: datetime
    ) -> tuple[list[tuple[float, float]], float, float]:
        """The roads from a to b on the route's path, the seconds this driver takes on them
        (the time of day's speed, their own pace, noise), and how many of those a jam holds."""
        if kind == "drone":
            return [a, b], haversine_m(*a, *b) / 15.0 + 30, 0.0
        route = self.route
        points, self._hint = section(route.path if route else [], a, b, self._hint)
        planned = road_metres(points) / van_speed(at) * self.quirks.slowness
        seconds, held = leg_seconds(self.style, planned, self.rng)
        return points, seconds, held

    async def _travel(
        self, points: list[tuple[float, float]], t: datetime, seconds: float, held: float
    ) -> datetime:
        for p in along(points, t, seconds, self.ping_every_s, held, self.rng):
            await self._ping((p.lat, p.lon), p.at, p.speed_mps)
        return t + timedelta(seconds=seconds)

    async def _dwell(self, at: tuple[float, float], t: datetime, seconds: float) -> datetime:
        steps = max(1, math.ceil(seconds / 10.0))
        for k in range(1, steps + 1):
            await self._ping(at, t + timedelta(seconds=k * seconds / steps), 0.0)
        return t + timedelta(seconds=seconds)

    async def _ping(self, point: tuple[float, float], at: datetime, speed: float) -> None:
        # Phone GPS in a city: a few metres of noise, now and then a poor fix.
        accuracy = self.rng.choice((5.0, 6.0, 8.0, 10.0, 15.0))
        lat, lon = offset(point, self.rng.gauss(0, accuracy / 2), self.rng.gauss(0, accuracy / 2))
        self._buffer.append({
            "time": at.isoformat(), "lat": round(lat, 6), "lon": round(lon, 6),
            "accuracy_m": accuracy, "speed_mps": round(speed, 1),
            "battery": round(max(0.05, 0.95 - len(self.done) * 0.02), 2),
        })  # fmt: skip
        await self.clock.sleep_until(at)
        # Flush about once per real second: a phone batching its fixes.
        first = datetime.fromisoformat(self._buffer[0]["time"])
        if (at - first).total_seconds() >= self.clock.factor:
            await self._flush()

    async def _flush(self, force: bool = False) -> None:
        if not self._buffer:
            return
        newest = datetime.fromisoformat(self._buffer[-1]["time"])
        if self._offline and self._offline[0] <= newest < self._offline[1] and not force:
            return  # no signal: the unit keeps its fixes and sends them when back online
        batch, self._buffer = self._buffer, []
        for start in range(0, len(batch), 1000):
            await self.telematics.send(self.tenant_id, self.vehicle_id, batch[start : start + 1000])

    async def _complete_worker(self) -> None:
        while (item := await self._completions.get()) is not None:
            stop, at, here = item
            await self._wait_arrival(stop["order_id"])
            failed = self.rng.random() < self.quirks.fail_rate
            body: dict[str, Any] = {"completed_at": at.isoformat()}
            if failed:
                body |= {"outcome": "failed", "reason_code": "nobody_home",
                         "reason": "Nobody answered; card left in the letterbox"}  # fmt: skip
            else:
                body |= {"outcome": "delivered", "proof": {
                    "photo_ref": f"pod/{stop['order_id']}.jpg",
                    "signature_ref": f"pod/{stop['order_id']}.svg",
                    "recipient_name": self.rng.choice(("Recipient", "Neighbour", "Concierge")),
                    "location": {"lat": here[0], "lon": here[1]},
                }}  # fmt: skip
            response = await self.tracking.post(
                f"/v1/routes/{self.route_id}/stops/{stop['stop_id']}:complete",
                json=body,
                headers={"Authorization": f"Bearer {self.device_token}"},
            )
            if response.status_code == 409:
                continue  # completed already (a retry after a timeout)
            if response.status_code == 404:
                # A re-plan moved the stop to another vehicle while this one drove there.
                log.info("stop %s moved off route %s", stop["stop_id"], self.route_id)
                self.moved.add(stop["order_id"])
                continue
            check(response)
            self.outcomes[stop["order_id"]] = body["outcome"]

    async def _wait_arrival(self, order_id: str) -> None:
        """Give tracking a moment to see the arrival in the pings before the stop is completed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.arrival_wait_s
        while loop.time() < deadline:
            order = self.state.orders.get(order_id)
            if order is not None and order.arrived_at is not None:
                return
            await asyncio.sleep(0.1)
        log.info("no stop.arrived for %s yet; completing anyway", order_id)


class Telematics:
    """The vehicles' telematics gateway: ping batches straight onto gps.pings.v1.

    The event's time is when the unit sent the batch, in simulated time: the tracking service
    judges fixes against it, so a replayed day at speed reads like a real one.
    """

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def send(self, tenant_id: str, vehicle_id: str, pings: list[dict[str, Any]]) -> None:
        """Publish one batch of a vehicle's fixes."""
        fixes = tuple(Ping(vehicle_id=vehicle_id, **p) for p in pings)
        envelope = Envelope(
            type="ping.batch",
            source="demo/telematics",
            tenant=tenant_id,
            data=PingBatch(vehicle_id=vehicle_id, pings=fixes),
            subject=vehicle_id,
            time=fixes[-1].time,
        )
        record = encode(envelope, vehicle_id)
        await self._producer.send_and_wait(
            envelope.topic, value=record.value, key=record.key, headers=record.headers
        )


async def register_device(tracking: httpx.AsyncClient, vehicle_id: str) -> str:
    """A device token for the driver's phone in this vehicle."""
    created = check(
        await tracking.post("/v1/devices", json={"vehicle_id": vehicle_id, "label": "demo phone"})
    )
    return str(created["device_token"])
