"""The runner's consumers heartbeat often enough that a rebalance starts promptly: a member
learns that another one joined or left only from its next heartbeat, and the whole group
waits for the last member to learn it."""

from __future__ import annotations

from typing import Any

import pytest
from lastmile_common.kafka import consumer as runner_module
from lastmile_common.kafka.consumer import ConsumerRunner
from lastmile_common.kafka.subscription import Subscription
from lastmile_common.settings import ServiceSettings


class _Consumer:
    """Records how the runner builds its aiokafka consumer; joins nothing."""

    built: dict[str, Any] = {}

    def __init__(self, **options: Any) -> None:
        _Consumer.built = options

    def subscribe(self, topics: list[str], listener: object) -> None:
        pass

    async def start(self) -> None:
        pass


async def _options(monkeypatch: pytest.MonkeyPatch, **settings: Any) -> dict[str, Any]:
    monkeypatch.setattr(runner_module, "AIOKafkaConsumer", _Consumer)
    kafka = ServiceSettings(kafka_bootstrap_servers="127.0.0.1:9", **settings).kafka()
    runner = ConsumerRunner(Subscription("g", ("t",), {}), None, None, kafka)  # type: ignore[arg-type]
    runner._run = _idle  # type: ignore[method-assign]
    await runner.start()
    return _Consumer.built


async def _idle() -> None:
    pass


async def test_members_heartbeat_every_half_second_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = await _options(monkeypatch)
    # aiokafka's own default (3 s) made every member of a rolling deploy's rebalances up to
    # 3 s late, and each rebalance stops every partition of the group.
    assert options["heartbeat_interval_ms"] == 500
    assert options["session_timeout_ms"] == 10_000


async def test_heartbeat_and_session_come_from_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = await _options(
        monkeypatch, consumer_heartbeat_interval_ms=250, consumer_session_timeout_ms=6000
    )
    assert options["heartbeat_interval_ms"] == 250
    assert options["session_timeout_ms"] == 6000
