"""The service app's lifespan: plumbing, then components in order, then consumers; reverse on
exit; `/readyz` checks every component. On the real broker and database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.http.app import create_service_app
from lastmile_common.kafka.consumer import Subscription
from lastmile_common.runtime import Runtime
from lastmile_common.settings import ServiceSettings
from starlette.datastructures import State

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import running_app


class Recorder:
    """A component that notes when it starts and stops, and what was running then."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log, self.working = name, log, True
        self.runtime: Runtime | None = None

    @asynccontextmanager
    async def run(self, runtime: Runtime, state: State) -> AsyncIterator[None]:
        assert runtime.relay.healthy and state.runtime is runtime
        assert not runtime.runners, "components start before the consumers"
        self.runtime = runtime
        self.log.append(f"enter {self.name}")
        setattr(state, self.name, self)
        yield
        assert not any(r.healthy for r in runtime.runners), "consumers stop first"
        assert runtime.relay.healthy, "the relay stops after the components"
        self.log.append(f"exit {self.name}")

    async def ready(self) -> bool:
        return self.working


async def _ignore(conn: Connection, envelope: Envelope) -> None:
    return None


async def test_components_run_between_plumbing_and_consumers(infra: Infrastructure) -> None:
    schema = f"app_{uuid.uuid4().hex[:12]}"
    settings = ServiceSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka_bootstrap
    )
    log: list[str] = []
    first, second = Recorder("first", log), Recorder("second", log)

    def subscriptions() -> list[Subscription]:
        log.append("subscriptions")
        return [Subscription(f"{schema}-pings", (GPS_PINGS,), {"ping": _ignore})]

    app = create_service_app(
        schema,
        settings,
        [],
        migrations="lastmile_common.kafka",  # no SQL of its own: the plumbing tables only
        components=[first, second],
        subscriptions=subscriptions,
        title="test",
    )
    async with running_app(app) as running:
        assert running.state.first is first and running.state.second is second
        ready = await running.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {
            "database": True,
            "broker": True,
            "first": True,
            "second": True,
        }
        second.working = False
        not_ready = await running.client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["second"] is False
    assert log == ["enter first", "enter second", "subscriptions", "exit second", "exit first"]
