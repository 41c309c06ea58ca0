"""Leaving a consumer group: also one whose first generation is numbered 0 (the local Tansu
broker), and closing the client even when a fetch was in its retry back-off."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.protocol.group import LeaveGroupRequest

log = logging.getLogger(__name__)


async def leave_first_generation(consumer: AIOKafkaConsumer) -> bool:
    """Send LeaveGroup for a member of generation 0; True when it was sent.

    aiokafka leaves the group on stop only when its generation is above 0, since Apache Kafka
    numbers a group's first generation 1. Tansu numbers it 0, so a service stopping in the first
    generation kept its partitions until its session expired, and the next member (the same
    service restarted, or a rolling deploy's new pod) waited that long to be assigned them.
    """
    coordinator = getattr(consumer, "_coordinator", None)
    # A consumer without a group (manual assignment) has a coordinator with no generation.
    if getattr(coordinator, "generation", None) != 0 or not getattr(coordinator, "member_id", ""):
        return False
    assert coordinator is not None
    request = LeaveGroupRequest(coordinator.group_id, coordinator.member_id)
    try:
        await coordinator._send_req(request)
    except KafkaError as err:
        log.warning("leaving group %s failed: %s", coordinator.group_id, err)
        return False
    return True


async def close_consumer(consumer: AIOKafkaConsumer) -> None:
    """Leave the group (also in Tansu's generation 0) and close the connections, even when a
    fetch was in its retry back-off.

    aiokafka's fetcher cancels its pending fetch requests on close and awaits them; one that is
    sleeping out `retry_backoff_ms` after a failed fetch (a slow or restarting broker) lets the
    CancelledError through, and `stop()` raises it before it closes the client. Only a stop
    that is itself being cancelled passes the CancelledError on.
    """
    try:
        await leave_first_generation(consumer)
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.warning("a fetch in retry back-off was cancelled while stopping; closing the client")
        await consumer._client.close()  # the step aiokafka's stop() skipped
