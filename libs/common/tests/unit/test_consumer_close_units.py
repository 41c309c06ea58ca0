"""Stopping a consumer whose fetch is in its retry back-off (aiokafka lets a CancelledError out)."""

from __future__ import annotations

import asyncio

import pytest
from lastmile_common.kafka.consumer import close_consumer


class _Client:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


class _ConsumerWithFetchInBackOff:
    """Does what aiokafka's stop() does when a fetch request sleeps out its retry back-off:
    cancels the pending request, awaits it (the CancelledError escapes), never closes the client."""

    def __init__(self) -> None:
        self._client = _Client()

    async def stop(self) -> None:
        pending = asyncio.create_task(asyncio.sleep(0.1))  # the back-off after a failed fetch
        await asyncio.sleep(0)
        pending.cancel()
        await pending
        await self._client.close()


async def test_a_fetch_cancelled_in_back_off_does_not_fail_the_stop() -> None:
    consumer = _ConsumerWithFetchInBackOff()
    await close_consumer(consumer)  # type: ignore[arg-type]
    assert consumer._client.closed


async def test_a_stop_that_is_itself_cancelled_passes_the_cancellation_on() -> None:
    consumer = _ConsumerWithFetchInBackOff()
    task = asyncio.create_task(close_consumer(consumer))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_consumer_without_a_group_closes() -> None:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers="127.0.0.1:9")  # never started: no group
    consumer._coordinator = type("NoGroup", (), {})()  # as aiokafka's NoGroupCoordinator
    stopped: list[bool] = []

    async def stop() -> None:
        stopped.append(True)

    consumer.stop = stop  # type: ignore[method-assign]
    await close_consumer(consumer)
    assert stopped == [True]
