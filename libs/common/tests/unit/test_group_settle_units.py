"""A stateful consumer group is joined once it has stopped rebalancing for a while."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka.errors import KafkaConnectionError
from lastmile_common.kafka.group_settle import settled

CALM_S = 0.05
POLL_S = 0.01


def _states(*states: str) -> tuple[Callable[[], Awaitable[str]], list[str]]:
    """Describes the group as `states` in turn (the last one from then on)."""
    seen: list[str] = []

    async def state() -> str:
        current = states[min(len(seen), len(states) - 1)]
        seen.append(current)
        return current

    return state, seen


async def test_a_group_without_members_is_joined_at_once() -> None:
    state, seen = _states("Empty")
    assert await settled(state, CALM_S, 5.0, POLL_S)
    assert seen == ["Empty"]


async def test_a_rebalancing_group_is_joined_once_calm_for_a_while() -> None:
    busy = ["PreparingRebalance"] * 3 + ["Stable", "Stable"] + ["CompletingRebalance"]
    state, seen = _states(*busy, "Stable")
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await settled(state, CALM_S, 5.0, POLL_S)
    # Calm counted from the last rebalancing state, not from the first calm one.
    assert seen[: len(busy)] == busy
    assert loop.time() - started >= CALM_S + len(busy) * POLL_S


async def test_a_group_that_never_settles_is_joined_after_the_longest_wait() -> None:
    state, _ = _states("PreparingRebalance")
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert not await settled(state, CALM_S, 0.1, POLL_S)
    assert 0.1 <= loop.time() - started < 1.0


async def test_a_broker_that_cannot_describe_the_group_does_not_hold_the_start() -> None:
    async def state() -> str:
        raise KafkaConnectionError("no broker")

    assert not await settled(state, CALM_S, 5.0, POLL_S)
