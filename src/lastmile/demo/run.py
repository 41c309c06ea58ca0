"""The demo day end to end: tenant, fleet, orders in, plan, drive, deliver, notify, figures."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer

from lastmile.console.feed import EventFeed
from lastmile.console.state import DayState
from lastmile.demo import hand_off, planning
from lastmile.demo.day import DemoDay, make_day
from lastmile.demo.driving import ON_PLAN, Driver, Quirks, Telematics, register_device
from lastmile.demo.fleet import create_fleet
from lastmile.demo.intake import send_all, send_api
from lastmile.demo.places import DEPOT_ID, TIME_ZONE
from lastmile.demo.platform import Platform, check
from lastmile.demo.road_drive import draw_demo_style
from lastmile.demo.tenant import create_tenant


@dataclass(frozen=True)
class DemoConfig:
    """How big and how fast the simulated day is."""

    orders: int = 300
    speed: float = 60.0
    seed: int = 7
    vans: int = 4
    service_date: date | None = None
    timeout_s: float = 1800.0
    plan_time_limit_s: float | None = None
    quirks: bool = True  # False: every driver keeps to the plan (an ETA-accuracy baseline)
    hand_off: str | None = None  # a vehicle left to the driver's app on a phone (not simulated)


def next_day(now: datetime | None = None) -> date:
    """Tomorrow in the depot's zone: the simulated day runs ahead of the wall clock.

    The planner re-plans at its wall clock or at the newest event time (arrivals), whichever
    is later, so a day in the past would have nothing left to plan; tomorrow keeps every
    window open. Pings then carry future times, which the
    tracking service accepts up to TRACKING_MAX_CLOCK_AHEAD_S (raised by `lastmile up`).
    """
    local = (now or datetime.now(UTC)).astimezone(ZoneInfo(TIME_ZONE))
    return local.date() + timedelta(days=1)


async def wait_until(check_: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until `check_()` holds, or raise TimeoutError naming `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check_():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.2)


QUIRKS = (
    Quirks(late_start_s=35 * 60),
    Quirks(swap_stops=True),
    Quirks(offline_after_s=75 * 60, offline_for_s=20 * 60),
    Quirks(slowness=1.3),
)


class DemoRun:
    """One run of the demo day against a running platform."""

    def __init__(
        self,
        platform: Platform,
        config: DemoConfig,
        say: Callable[[str], None],
        run_file: Path | None = None,
    ) -> None:
        self.platform, self.config, self.say = platform, config, say
        self.run_file = run_file  # where the hand-off's sign-in link is recorded
        self.handed_off: dict[str, str] | None = None
        self.rng = random.Random(config.seed)
        self.state: DayState | None = None
        self.tenant_id = self.api_key = ""
        self.skipped: list[str] = []
        self.producer: AIOKafkaProducer | None = None

    async def run(self) -> dict[str, Any]:
        """Run the day; returns its figures."""
        p, say = self.platform, self.say
        stamp = datetime.now(UTC).strftime("%H%M%S")
        self.tenant_id, self.api_key = await create_tenant(p.database_url, f"Kiezkiste {stamp}")
        say(f"tenant {self.tenant_id} (API key {self.api_key[:12]}...)")
        self.state = state = DayState(self.tenant_id)
        feed = EventFeed(p.kafka_bootstrap, state.apply, name=f"demo-{stamp}")
        producer = AIOKafkaProducer(bootstrap_servers=p.kafka_bootstrap, acks="all")
        await feed.start()
        await producer.start()
        self.producer = producer
        try:
            await self._day(producer)
        finally:
            await producer.stop()
            await feed.stop()
        figures = state.figures() | {"tenant_id": self.tenant_id, "skipped": self.skipped}
        return figures

    def client(self, service: str) -> Any:
        """An HTTP client to a service with the demo tenant's key."""
        return self.platform.client(service, self.api_key)

    async def _day(self, producer: AIOKafkaProducer) -> None:
        p, say, state = self.platform, self.say, self.state
        assert state is not None
        if not p.has("orders"):
            raise RuntimeError("the orders service is not running: nothing to demo")
        if p.has("notifier"):
            async with self.client("notifier") as notifier:
                await planning.configure_notifier(notifier)
        else:
            self.skip("notifier not running: no customer messages")
        depot_id = DEPOT_ID
        if p.has("planner"):
            async with self.client("planner") as planner:
                depot_id, vehicles = await create_fleet(planner, self.config.vans)
            say(f"depot {depot_id} with {len(vehicles)} vehicles")
        service_date = self.config.service_date or next_day()
        day = make_day(service_date, self.config.orders, self.config.seed, depot_id)
        early = [o for o in day.orders if not o.late]
        async with self.client("orders") as orders_api:
            counts = await send_all(orders_api, producer, self.tenant_id, early)
        say(
            f"{len(early)} orders for {service_date} sent: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        await wait_until(
            lambda: len(state.orders) >= len(early), 120, "order.created of every order"
        )
        say(f"orders service accepted all {len(state.orders)} orders")
        if not p.has("planner"):
            self.skip("planner not running: no plan, no routes, no driving")
            return
        async with self.client("planner") as planner:
            await planning.plan(planner, depot_id, day, state, self.config.plan_time_limit_s)
        figures = state.figures()
        say(
            f"plan: {figures['routes']} routes, {figures['km']} km, {figures['unassigned']} unassigned"
        )
        for order in state.orders.values():
            if order.status == "unassigned":
                say(f"  unassigned {order.external_id}: {order.reason}")
        if not p.has("tracking"):
            self.skip("tracking not running: no driving")
            return
        await self._drive(day, depot_id)

    def skip(self, why: str) -> None:
        """Note a step the demo could not take."""
        self.skipped.append(why)
        self.say("skipped: " + why)

    # size: one loop owns the day's drivers, late orders and stop condition
    async def _drive(self, day: DemoDay, depot_id: str) -> None:
        state, say = self.state, self.say
        assert state is not None
        starts = [r.start_time for r in state.routes.values()]
        clock = planning.clock_for(day, starts, self.config.speed)
        late = [o for o in day.orders if o.late]
        late_at, late_ids, late_deadline = day.at(11.0), [], 0.0
        drivers: dict[str, asyncio.Task[None]] = {}
        on_road: dict[str, asyncio.Task[None]] = {}
        tokens: dict[str, str] = {}
        quirked: list[str] = []
        served: dict[str, set[str]] = {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.timeout_s
        async with self.client("tracking") as tracking, self.client("orders") as orders_api:
            assert self.producer is not None
            telematics = Telematics(self.producer)
            if vehicle := self.config.hand_off:
                routed = any(r.vehicle_id == vehicle for r in state.routes.values())
                self.handed_off = await hand_off.hand_off(tracking, vehicle, routed, self.say)
                if self.run_file is not None:
                    hand_off.record(self.run_file, self.handed_off)
            while loop.time() < deadline:
                # By vehicle: each vehicle gets the same quirk on every run (route ids are random).
                for route in sorted(
                    state.routes.values(), key=lambda r: (r.vehicle_id, r.route_id)
                ):
                    if route.vehicle_id == self.config.hand_off:
                        continue  # the phone drives it: pings and completions from the app
                    previous = on_road.get(route.vehicle_id)
                    if previous and not previous.done():
                        continue  # the vehicle is still out on a route
                    resume = route.route_id in drivers and self._has_work(
                        route.route_id, served[route.route_id]
                    )
                    if route.route_id in drivers and not resume:
                        continue
                    if route.vehicle_id not in tokens:
                        tokens[route.vehicle_id] = await register_device(tracking, route.vehicle_id)
                    on_plan = resume or not self.config.quirks
                    quirks = Quirks() if on_plan else self._quirks(route.vehicle_kind, len(quirked))
                    if route.vehicle_kind != "drone" and not resume:
                        quirked.append(route.route_id)
                    rng = random.Random(self.rng.random())
                    flies = route.vehicle_kind == "drone"
                    style = ON_PLAN if on_plan or flies else draw_demo_style(rng)
                    driver = Driver(
                        route.route_id, route.vehicle_id, tracking, telematics, self.tenant_id,
                        tokens[route.vehicle_id], state, clock, rng, quirks, style,
                        start_at=clock.now() if resume else None,
                    )  # fmt: skip
                    what = "back out for new stops" if resume else quirks.describe()
                    what += "" if style is ON_PLAN else f"; {style.describe()}"
                    say(
                        f"{route.vehicle_kind} {route.vehicle_id}: {len(route.stops)} stops, {what}"
                    )
                    task = asyncio.create_task(driver.run())
                    drivers[route.route_id] = on_road[route.vehicle_id] = task
                    served[route.route_id] = served.get(route.route_id, set()) | driver.done
                    driver.done = served[route.route_id]  # one set: what any driver of it did
                if late and clock.now() >= late_at:
                    late_ids = await send_api(orders_api, late)
                    say(
                        f"{clock.now().astimezone(day.tz):%H:%M} {len(late_ids)} late orders: the planner re-plans"
                    )
                    late, late_deadline = [], loop.time() + 120
                for task in drivers.values():
                    if task.done() and (error := task.exception()) is not None:
                        raise error
                waiting_late = (
                    late_ids
                    and loop.time() < late_deadline
                    and not all(
                        state.orders.get(o) and state.orders[o].status != "open" for o in late_ids
                    )
                )
                if not late and not waiting_late and drivers and self._settled(drivers, served):
                    break
                await asyncio.sleep(0.3)
            else:
                raise TimeoutError("the demo day did not finish in time")
        await self._let_messages_settle()

    def _has_work(self, route_id: str, served: set[str]) -> bool:
        """A re-plan gave a route whose driver had finished new stops (and it is not closed)."""
        assert self.state is not None
        route = self.state.routes.get(route_id)
        if route is None or route.completed_at is not None:
            return False
        return any(stop["order_id"] not in served for stop in route.stops)

    @staticmethod
    def _quirks(kind: str, number: int) -> Quirks:
        if kind == "drone" or number >= len(QUIRKS):
            return Quirks(fail_rate=0.0 if kind == "drone" else 0.04)
        return QUIRKS[number]

    def _settled(self, drivers: dict[str, asyncio.Task[None]], served: dict[str, set[str]]) -> bool:
        state = self.state
        assert state is not None
        if not all(task.done() for task in drivers.values()):
            return False
        # Orders left on a route the tracking service already closed cannot be served any more.
        return not any(self._has_work(route_id, served[route_id]) for route_id in drivers)

    async def _let_messages_settle(self, quiet_s: float = 4.0) -> None:
        state = self.state
        assert state is not None
        last, still = len(state.messages), 0.0
        while still < quiet_s:
            await asyncio.sleep(0.5)
            still = still + 0.5 if len(state.messages) == last else 0.0
            last = len(state.messages)


def print_figures(figures: dict[str, Any], say: Callable[[str], None]) -> None:
    """The day's figures as a short table."""
    say("the day in figures:")
    for key in ("orders", "routes", "km", "delivered", "failed", "unassigned", "open",
                "on_time_rate", "eta_error_p50_min", "eta_error_p90_min", "eta_samples", "messages"):  # fmt: skip
        say(f"  {key:<18} {figures.get(key)}")
    for kind, count in sorted(figures.get("messages_by_kind", {}).items()):
        say(f"    {kind:<16} {count}")


__all__ = ["DemoConfig", "DemoRun", "check", "print_figures"]
